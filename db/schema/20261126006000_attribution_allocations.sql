-- migrate:up
-- Revenue attributed to channels (SPEC §2.3, §6.2): per purchase event, per
-- model, per channel, the minor units allocated and the ratio. The rows of a
-- purchase and model always sum exactly to the purchase's revenue (a trigger,
-- skeldir.check_allocation_sums), and a recompute of the same window writes
-- identical rows: a row's identity is (tenant, event, model, channel) and
-- nothing records when it was computed.
--
-- The table is derived data, written only by skeldir.recompute_attribution
-- from append-only events and validated channels, hundreds of thousands of
-- rows at a time; it carries no foreign keys, whose per-row checks would cost
-- more than the recompute itself.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.attribution_model AS ENUM ('last_touch', 'first_touch', 'linear', 'time_decay');

CREATE TABLE skeldir.attribution_allocations (
  tenant_id       uuid NOT NULL,
  event_id        uuid NOT NULL,
  model           skeldir.attribution_model NOT NULL,
  channel         text NOT NULL,
  allocated_cents bigint NOT NULL CHECK (allocated_cents >= 0),
  ratio           numeric(11, 10) NOT NULL CHECK (ratio BETWEEN 0 AND 1),
  currency        text NOT NULL,
  occurred_at     timestamptz NOT NULL,  -- the purchase's
  model_version   text NOT NULL,
  PRIMARY KEY (tenant_id, event_id, model, channel)
);

CREATE INDEX attribution_allocations_occurred_idx ON skeldir.attribution_allocations (tenant_id, occurred_at);

COMMENT ON TABLE skeldir.attribution_allocations IS
  'Purchase revenue allocated to channels per attribution model; sums exactly to each purchase''s revenue.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.attribution_allocations;
DROP TYPE skeldir.attribution_model;
