-- migrate:up
-- The spec's shape of attribution (SPEC §2.3): per purchase, per model, per
-- channel, allocated minor units and ratio. A view over attribution_credits
-- that leaves out the zero credits; security_invoker, so the reader's own
-- row-level security applies to the table below.
SET LOCAL ROLE skeldir_owner;

CREATE VIEW skeldir.attribution_allocations WITH (security_invoker = true) AS
SELECT c.tenant_id, c.event_id, m.model, c.channel, m.allocated_cents, m.ratio, c.currency, c.occurred_at,
       c.model_version
  FROM skeldir.attribution_credits AS c
 CROSS JOIN LATERAL (VALUES
   ('last_touch'::skeldir.attribution_model,  c.last_touch_cents,  (c.last_touch_cents > 0)::int::numeric(11, 10)),
   ('first_touch'::skeldir.attribution_model, c.first_touch_cents, (c.first_touch_cents > 0)::int::numeric(11, 10)),
   ('linear'::skeldir.attribution_model,      c.linear_cents,      c.linear_ratio),
   ('time_decay'::skeldir.attribution_model,  c.time_decay_cents,  c.time_decay_ratio)
 ) AS m(model, allocated_cents, ratio)
 WHERE m.ratio > 0;

COMMENT ON VIEW skeldir.attribution_allocations IS
  'Attribution per purchase, model and channel (the rows of skeldir.attribution_credits, one per model).';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP VIEW skeldir.attribution_allocations;
