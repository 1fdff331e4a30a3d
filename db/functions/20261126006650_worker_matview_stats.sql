-- migrate:up
-- Refresh counts and durations by view and outcome, for the worker's
-- metrics listener (SPEC §8). They are the database's totals, so every
-- worker daemon exports the same numbers.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION worker.matview_refresh_stats()
RETURNS TABLE (view_name text, outcome text, refreshes bigint, seconds double precision, last_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT m.name, o.outcome, coalesce(s.refreshes, 0), coalesce(s.seconds, 0), s.last_at
    FROM skeldir.matviews AS m
   CROSS JOIN (VALUES ('refreshed'), ('skipped'), ('failed')) AS o(outcome)
    LEFT JOIN skeldir.matview_refresh_stats AS s ON s.view_name = m.name AND s.outcome = o.outcome
   ORDER BY m.name, o.outcome;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION worker.matview_refresh_stats();
