-- migrate:up
-- skeldir.attribution_days looks each order and each session up with a
-- query of its own on one table (issue 16). Its one query (unnest, LATERAL
-- subqueries, UNION ALL) ran as a plan kept for the session
-- (20261204030600), and Citus cannot run a kept plan of a query that joins
-- a distributed table to anything: 'could not create distributed plan'
-- at every ingest on the cluster. A query on one distributed table whose
-- tenant is a parameter is one Citus routes under a kept plan (its "fast
-- path": the shard is chosen at execution), so each lookup is now that,
-- and the plan is still kept on both engines. Same days, in the same
-- order, NULL when there are none; a delivery with no order or session to
-- look up still asks no query. (A delivery names one order and one session
-- at most: two lookups, as the one query did.)
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamptz[])
RETURNS date[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  found date[] := days;
  part date[];
  o text;
BEGIN
  IF coalesce(cardinality(orders), 0) = 0 AND coalesce(cardinality(sessions), 0) = 0 THEN
    IF coalesce(cardinality(days), 0) = 0 THEN
      RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(days) AS d WHERE d IS NOT NULL);
  END IF;
  -- The purchases of each order, and those of each session in the 30 days
  -- after its touch (a session or a time missing: none).
  FOREACH o IN ARRAY coalesce(orders, '{}') LOOP
    SELECT array_agg((e.occurred_at AT TIME ZONE 'UTC')::date) INTO part
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.order_id = o AND e.event_type = 'purchase' AND e.revenue_cents > 0;
    found := found || part;
  END LOOP;
  FOR i IN 1 .. coalesce(cardinality(sessions), 0) LOOP
    SELECT array_agg((e.occurred_at AT TIME ZONE 'UTC')::date) INTO part
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.session_id = sessions[i]
       AND e.occurred_at BETWEEN touched_at[i] AND touched_at[i] + interval '30 days'
       AND e.event_type = 'purchase' AND e.revenue_cents > 0;
    found := found || part;
  END LOOP;
  RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(found) AS d WHERE d IS NOT NULL);
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.attribution_days keeps this
-- body; 20261204030600 defines the one before.)
