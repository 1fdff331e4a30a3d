-- migrate:up
-- What the API listener shows of the queue: the worker probe behind
-- /health/worker, and the depth and age gauges behind /metrics. And the
-- operators' switches.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.start_worker_probe() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN skeldir.enqueue('health.probe');

-- The probe's state and, once completed, enqueue-to-finish latency.
CREATE FUNCTION api.worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT j.state::text, extract(epoch FROM j.finished_at - j.created_at) * 1000
    FROM skeldir.jobs AS j WHERE j.id = probe_id AND j.kind = 'health.probe';
END;

-- Jobs by queue and state (finished ones excepted), and the age of the
-- oldest job due but not yet started. Every queue appears, even empty.
CREATE FUNCTION api.queue_stats()
RETURNS TABLE (queue text, state text, jobs bigint, oldest_due_seconds double precision)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT q::text, s::text,
         (SELECT count(*) FROM skeldir.jobs AS j WHERE j.queue = q AND j.state = s),
         CASE WHEN s = 'available' THEN
           coalesce((SELECT extract(epoch FROM now() - min(j.run_at)) FROM skeldir.jobs AS j
                      WHERE j.queue = q AND j.state = 'available' AND j.run_at <= now()), 0)
         END
    FROM unnest(enum_range(NULL::skeldir.queue)) AS q,
         unnest(ARRAY['available', 'running', 'dead']::skeldir.job_state[]) AS s
   ORDER BY 1, 2;
END;

CREATE FUNCTION admin.set_fault_injection(enabled boolean) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  UPDATE skeldir.fault_injection SET enabled = set_fault_injection.enabled RETURNING enabled;
END;
COMMENT ON FUNCTION admin.set_fault_injection(boolean) IS
  'Allows (or forbids) enqueueing the fault.* job kinds, for tests and drills.';

CREATE FUNCTION admin.enqueue(kind text, args jsonb DEFAULT '{}', tenant_id uuid DEFAULT NULL) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN skeldir.enqueue(kind, args, tenant_id);
COMMENT ON FUNCTION admin.enqueue(text, jsonb, uuid) IS 'Enqueues a job by hand.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.enqueue(text, jsonb, uuid);
DROP FUNCTION admin.set_fault_injection(boolean);
DROP FUNCTION api.queue_stats();
DROP FUNCTION api.worker_probe(bigint);
DROP FUNCTION api.start_worker_probe();
