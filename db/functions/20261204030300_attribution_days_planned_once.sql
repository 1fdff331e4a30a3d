-- migrate:up
-- skeldir.attribution_days is PL/pgSQL (issue 15, target 1). As a SQL
-- function (BEGIN ATOMIC) it was planned again in every transaction that
-- called it, 1-2 ms of planning, with its arguments unknown: the plan
-- scanned all of the tenant's events through attribution_events_occurred_idx
-- whenever the statistics were older than the tenant's rows (3.4 ms a call
-- at 2,000 events). Now its one query is a plan kept for the session that
-- looks each order and each session up by its own index (a nested loop over
-- the given arrays, whatever the statistics say), and a delivery with no
-- order or session to look up (a refund, an update without a session) asks
-- no query at all. Same days, in the same order, NULL when there are none
-- (5,000 argument sets over 9,000 events, with NULLs, empty arrays and
-- unknown orders and sessions, compared with the previous body).
-- Measured, current statistics and one transaction (the plan of the old
-- body cached for it): a purchase with its order and session 70 -> 53 µs
-- (CPU, 3,000 calls); 500 real-shaped orders through api.ingest_webhook,
-- median of 8 interleaved pairs, 1.03x (within noise).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamptz[])
RETURNS date[]
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  found date[];
BEGIN
  IF coalesce(cardinality(orders), 0) = 0 AND coalesce(cardinality(sessions), 0) = 0 THEN
    IF coalesce(cardinality(days), 0) = 0 THEN
      RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(days) AS d WHERE d IS NOT NULL);
  END IF;
  SELECT array_agg(DISTINCT x.day ORDER BY x.day) INTO found
    FROM (SELECT d AS day FROM unnest(days) AS d
          UNION ALL
          SELECT (o.occurred_at AT TIME ZONE 'UTC')::date
            FROM unnest(orders) AS q(order_id)
           CROSS JOIN LATERAL (SELECT e.occurred_at FROM skeldir.attribution_events AS e
                                WHERE e.tenant_id = tenant AND e.order_id = q.order_id
                                  AND e.event_type = 'purchase' AND e.revenue_cents > 0
                               OFFSET 0) AS o
          UNION ALL
          SELECT (p.occurred_at AT TIME ZONE 'UTC')::date
            FROM unnest(sessions, touched_at) AS t(session_id, at)
           CROSS JOIN LATERAL (SELECT e.occurred_at FROM skeldir.attribution_events AS e
                                WHERE e.tenant_id = tenant AND e.session_id = t.session_id
                                  AND e.occurred_at BETWEEN t.at AND t.at + interval '30 days'
                                  AND e.event_type = 'purchase' AND e.revenue_cents > 0
                               OFFSET 0) AS p) AS x
   WHERE x.day IS NOT NULL;
  RETURN found;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.attribution_days keeps this
-- body; 20261202003800 defines the one before.)
SELECT 1;
