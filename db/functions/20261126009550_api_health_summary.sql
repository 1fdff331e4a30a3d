-- migrate:up
-- The services behind GET /api/health, as the database sees them: the
-- database answers (or this would not); the cache (the materialized views)
-- is degraded when the realtime views have not refreshed for five minutes;
-- the queue is degraded when a job has waited past its due time for a
-- minute, a sign that no worker runs.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.health_summary() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT jsonb_build_object(
    'database', 'up',
    'cache', CASE WHEN EXISTS (SELECT FROM skeldir.matviews AS m
                                 LEFT JOIN skeldir.matview_refresh_stats AS s
                                   ON s.view_name = m.name AND s.outcome = 'refreshed'
                                WHERE m.cadence = 'realtime'
                                  AND coalesce(s.last_at, '-infinity') < now() - interval '5 minutes')
                  THEN 'degraded' ELSE 'up' END,
    'queue', CASE WHEN EXISTS (SELECT FROM skeldir.jobs AS j
                                WHERE j.state = 'available' AND j.run_at < now() - interval '1 minute')
                  THEN 'degraded' ELSE 'up' END);
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.health_summary();
