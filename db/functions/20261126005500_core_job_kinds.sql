-- migrate:up
-- The job kinds the dispatcher itself needs, and the fault-injection kinds
-- of SPEC §5 for tests and drills. Each body is worker.<name>(args, job_id).
SET LOCAL ROLE skeldir_owner;

-- The probe behind GET /health/worker: completing it proves a dispatcher runs.
CREATE FUNCTION worker.health_probe(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN END $$;

-- A no-op, for liveness drills and benchmarks.
CREATE FUNCTION worker.housekeeping_ping(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN END $$;

-- Hands the jobs of dead dispatchers back to the queue.
CREATE FUNCTION worker.reap_leases(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN PERFORM skeldir.reap_expired_leases(); END $$;

-- Forgets finished jobs older than args.keep (default a day).
CREATE FUNCTION worker.prune_jobs(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM skeldir.jobs AS j
   WHERE j.state IN ('completed', 'dead')
     AND j.finished_at < now() - coalesce((prune_jobs.args ->> 'keep')::interval, interval '1 day');
END
$$;

-- Fault injection: always fails (a poison pill).
CREATE FUNCTION worker.fault_poison_pill(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'poison pill % swallowed', job_id USING ERRCODE = 'raise_exception';
END
$$;

-- Fault injection: runs far past any limit (args.seconds, default an hour).
CREATE FUNCTION worker.fault_runaway(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_sleep(coalesce((args ->> 'seconds')::double precision, 3600));
END
$$;

-- Fault injection: writes its side effect, then, on its first attempt, hangs
-- (the dispatcher is meant to die meanwhile).
CREATE FUNCTION worker.fault_crash_after_write(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  attempt integer := (SELECT j.attempt FROM skeldir.jobs AS j WHERE j.id = job_id);
BEGIN
  INSERT INTO skeldir.job_side_effects (job_id, attempt) VALUES (job_id, attempt);
  IF attempt = 1 THEN
    PERFORM pg_sleep(coalesce((args ->> 'hang_seconds')::double precision, 3600));
  END IF;
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable, fault) VALUES
  ('health.probe',              'housekeeping', 'worker.health_probe',            '5 seconds',   '10 seconds',  1, '1 second',   true,  false),
  ('housekeeping.ping',         'housekeeping', 'worker.housekeeping_ping',       '5 seconds',   '10 seconds',  4, '1 second',   true,  false),
  ('housekeeping.prune_jobs',   'housekeeping', 'worker.prune_jobs',              '300 seconds', '360 seconds', 4, '1 second',   false, false),
  ('maintenance.reap_leases',   'maintenance',  'worker.reap_leases',             '30 seconds',  '60 seconds',  4, '1 second',   true,  false),
  ('fault.poison_pill',         'maintenance',  'worker.fault_poison_pill',       '5 seconds',   '10 seconds',  4, '200 milliseconds', true, true),
  ('fault.runaway',             'maintenance',  'worker.fault_runaway',           '1 second',    '5 seconds',   4, '100 milliseconds', false, true),
  ('fault.crash_after_write',   'maintenance',  'worker.fault_crash_after_write', '5 seconds',   '6 seconds',   4, '100 milliseconds', false, true);

INSERT INTO skeldir.schedules (name, kind, every) VALUES
  ('lease_reaper', 'maintenance.reap_leases', '1 second'),
  ('prune_jobs',   'housekeeping.prune_jobs', '1 hour');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.schedules WHERE name IN ('lease_reaper', 'prune_jobs');
DELETE FROM skeldir.job_kinds WHERE kind IN ('health.probe', 'housekeeping.ping', 'housekeeping.prune_jobs',
  'maintenance.reap_leases', 'fault.poison_pill', 'fault.runaway', 'fault.crash_after_write');
DROP FUNCTION worker.fault_crash_after_write(jsonb, bigint);
DROP FUNCTION worker.fault_runaway(jsonb, bigint);
DROP FUNCTION worker.fault_poison_pill(jsonb, bigint);
DROP FUNCTION worker.prune_jobs(jsonb, bigint);
DROP FUNCTION worker.reap_leases(jsonb, bigint);
DROP FUNCTION worker.housekeeping_ping(jsonb, bigint);
DROP FUNCTION worker.health_probe(jsonb, bigint);
