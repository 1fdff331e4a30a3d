-- migrate:up
-- No drift under the fifth model either: the exact-sum guard of
-- 20261126006100 checks position-based credits too.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.check_credit_sums() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  drift record;
BEGIN
  SELECT c.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch, sum(a.first_touch_cents) AS first_touch,
         sum(a.linear_cents) AS linear, sum(a.time_decay_cents) AS time_decay,
         sum(a.position_based_cents) AS position_based INTO drift
    FROM (SELECT DISTINCT tenant_id, event_id FROM changed) AS c
    JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id
    JOIN skeldir.attribution_credits AS a ON a.tenant_id = c.tenant_id AND a.event_id = c.event_id
   GROUP BY c.event_id, e.revenue_cents
  HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
              AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
              AND sum(a.position_based_cents) = e.revenue_cents)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), % (position based), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.position_based,
      drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;

-- migrate:down
-- (skeldir.check_credit_sums keeps this body; 20261126006100 defines the one before.)
SELECT 1;
