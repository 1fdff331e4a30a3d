-- migrate:up
-- Revenue attributed to channels (SPEC §2.3, §6.2). One row per purchase and
-- channel that touched it, carrying the channel's credit under each of the
-- four models: minor units and ratio. A model that gives a channel nothing
-- records 0. Under every model, the rows of a purchase sum exactly to its
-- revenue (a trigger, skeldir.check_credit_sums). The per-model shape of the
-- spec is the view skeldir.attribution_allocations.
--
-- Why one row per channel rather than per model and channel: a recompute of
-- 100,000 purchases writes about 300,000 rows instead of 800,000, and a row
-- of a purchase holds all four models, so the sum check reads each purchase
-- once. The table is derived data, written only by
-- skeldir.recompute_attribution from append-only events; a row's identity
-- is (tenant, event, channel) and nothing records when it was computed, so a
-- recompute writes identical rows.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.attribution_model AS ENUM ('last_touch', 'first_touch', 'linear', 'time_decay');

CREATE TABLE skeldir.attribution_credits (
  tenant_id          uuid NOT NULL,
  event_id           uuid NOT NULL,
  channel            text NOT NULL,
  currency           text NOT NULL,
  occurred_at        timestamptz NOT NULL,  -- the purchase's
  last_touch_cents   bigint NOT NULL CHECK (last_touch_cents >= 0),
  first_touch_cents  bigint NOT NULL CHECK (first_touch_cents >= 0),
  linear_cents       bigint NOT NULL CHECK (linear_cents >= 0),
  time_decay_cents   bigint NOT NULL CHECK (time_decay_cents >= 0),
  linear_ratio       numeric(11, 10) NOT NULL CHECK (linear_ratio BETWEEN 0 AND 1),
  time_decay_ratio   numeric(11, 10) NOT NULL CHECK (time_decay_ratio BETWEEN 0 AND 1),
  model_version      text NOT NULL,
  PRIMARY KEY (tenant_id, event_id, channel)
);

COMMENT ON TABLE skeldir.attribution_credits IS
  'Per purchase and channel, the revenue credited under each attribution model; sums exactly to the purchase''s revenue.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.attribution_credits;
DROP TYPE skeldir.attribution_model;
