-- migrate:up
-- The position-based credit of each purchase and channel, minor units and
-- ratio, beside the other models' (skeldir.attribution_credits), and its rows
-- in skeldir.attribution_allocations. Rows written before are 0 until their
-- purchases are recomputed (20261202004600 recomputes every tenant).
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.attribution_credits
  ADD COLUMN position_based_cents bigint NOT NULL DEFAULT 0 CHECK (position_based_cents >= 0),
  ADD COLUMN position_based_ratio numeric(11, 10) NOT NULL DEFAULT 0 CHECK (position_based_ratio BETWEEN 0 AND 1);

CREATE OR REPLACE VIEW skeldir.attribution_allocations WITH (security_invoker = true) AS
SELECT c.tenant_id, c.event_id, m.model, c.channel, m.allocated_cents, m.ratio, c.currency, c.occurred_at,
       c.model_version
  FROM skeldir.attribution_credits AS c
 CROSS JOIN LATERAL (VALUES
   ('last_touch'::skeldir.attribution_model,     c.last_touch_cents,     (c.last_touch_cents > 0)::int::numeric(11, 10)),
   ('first_touch'::skeldir.attribution_model,    c.first_touch_cents,    (c.first_touch_cents > 0)::int::numeric(11, 10)),
   ('linear'::skeldir.attribution_model,         c.linear_cents,         c.linear_ratio),
   ('time_decay'::skeldir.attribution_model,     c.time_decay_cents,     c.time_decay_ratio),
   ('position_based'::skeldir.attribution_model, c.position_based_cents, c.position_based_ratio)
 ) AS m(model, allocated_cents, ratio)
 WHERE m.ratio > 0;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.attribution_credits DROP COLUMN position_based_ratio, DROP COLUMN position_based_cents;
