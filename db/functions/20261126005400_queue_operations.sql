-- migrate:up
-- The job lifecycle (SPEC §5), read top to bottom: enqueue, claim, run,
-- complete or fail (retry with backoff, or dead-letter), and reap leases of
-- dispatchers that died. Short kinds (batchable) are claimed and run many
-- per call by worker.work; the others are leased by worker.claim and run one
-- per call by worker.execute, under the dispatcher's soft limit.
SET LOCAL ROLE skeldir_owner;

-- Enqueue, inside the caller's transaction (a job for a change commits with
-- the change). Unknown kinds are refused; so are fault-injection kinds unless
-- an operator enabled them. With a dedupe key already pending (available,
-- not yet running), the pending job's id comes back instead of a second job,
-- and the pending job is held (a shared row lock, which claims skip) until
-- this transaction ends: it cannot start before the change that asked for it
-- commits, and so never misses it.
CREATE FUNCTION skeldir.enqueue(kind text, args jsonb DEFAULT '{}', tenant uuid DEFAULT NULL,
                                run_at timestamptz DEFAULT NULL, dedupe_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
  k skeldir.job_kinds;
  job bigint;
BEGIN
  SELECT * INTO k FROM skeldir.job_kinds AS jk WHERE jk.kind = enqueue.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown job kind %', quote_literal(kind) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF k.fault AND NOT (SELECT f.enabled FROM skeldir.fault_injection AS f) THEN
    RAISE EXCEPTION 'fault injection is disabled: % cannot be enqueued', kind
      USING ERRCODE = 'insufficient_privilege', HINT = 'An operator enables it with admin.set_fault_injection(true).';
  END IF;
  LOOP
    INSERT INTO skeldir.jobs AS j (kind, queue, args, tenant_scope, run_at, dedupe_key)
    VALUES (k.kind, k.queue, coalesce(args, '{}'), tenant, coalesce(run_at, now()), dedupe_key)
    ON CONFLICT (dedupe_key) WHERE state = 'available' DO NOTHING
    RETURNING j.id INTO job;
    IF job IS NOT NULL THEN
      PERFORM pg_notify('skeldir_jobs', k.queue::text);  -- delivered at commit
      RETURN job;
    END IF;
    SELECT j.id INTO job FROM skeldir.jobs AS j
     WHERE j.dedupe_key = enqueue.dedupe_key AND j.state = 'available'
       FOR KEY SHARE;
    IF job IS NOT NULL THEN
      RETURN job;
    END IF;
    -- Claimed in between: it may have read its inputs already; ask again.
  END LOOP;
END
$$;

CREATE FUNCTION worker.enqueue(kind text, args jsonb DEFAULT '{}', tenant uuid DEFAULT NULL,
                               run_at timestamptz DEFAULT NULL, dedupe_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN skeldir.enqueue(kind, args, tenant, run_at, dedupe_key);

-- Runs one job's body, in its tenant's context when it has one.
CREATE FUNCTION skeldir.run_job_body(job_id bigint, body regproc, args jsonb, tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM set_config('app.current_tenant_id', coalesce(tenant::text, ''), true);
  EXECUTE format('SELECT %s($1, $2)', body) USING args, job_id;
  PERFORM set_config('app.current_tenant_id', '', true);
END
$$;

-- A failed attempt: another try after exponential backoff with jitter, or,
-- after the last attempt, a dead job and one worker_failed_jobs row.
-- Returns 'retried', 'dead_lettered' or 'superseded', after telling the
-- kind's on_failure function, if it has one (the body's own writes rolled
-- back with it, so this is where a kind records that it failed).
CREATE FUNCTION skeldir.settle_failure(job_id bigint, error_class text, error_message text) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  outcome text := skeldir.settle_attempt(job_id, error_class, error_message);
  j skeldir.jobs;
  hook regproc;
BEGIN
  SELECT k.on_failure INTO hook FROM skeldir.jobs AS x JOIN skeldir.job_kinds AS k ON k.kind = x.kind WHERE x.id = job_id;
  IF hook IS NOT NULL THEN
    SELECT * INTO j FROM skeldir.jobs AS x WHERE x.id = job_id;
    PERFORM set_config('app.current_tenant_id', coalesce(j.tenant_scope::text, ''), true);
    EXECUTE format('SELECT %s($1, $2)', hook) USING j, outcome;
    PERFORM set_config('app.current_tenant_id', '', true);
  END IF;
  RETURN outcome;
END
$$;

CREATE FUNCTION skeldir.settle_attempt(job_id bigint, error_class text, error_message text) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  j skeldir.jobs;
  k skeldir.job_kinds;
  pending bigint;
BEGIN
  SELECT * INTO j FROM skeldir.jobs AS x WHERE x.id = job_id;
  SELECT * INTO k FROM skeldir.job_kinds AS x WHERE x.kind = j.kind;
  -- A job whose dedupe key is pending again meanwhile needs no retry: the
  -- pending job does the same work, later.
  IF j.dedupe_key IS NOT NULL THEN
    SELECT x.id INTO pending FROM skeldir.jobs AS x WHERE x.dedupe_key = j.dedupe_key AND x.state = 'available';
    IF FOUND THEN
      UPDATE skeldir.jobs AS x
         SET state = 'completed', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL,
             last_error = format('%s (superseded by pending job %s)', error_message, pending)
       WHERE x.id = job_id;
      RETURN 'superseded';
    END IF;
  END IF;
  IF j.attempt < k.max_attempts THEN
    UPDATE skeldir.jobs AS x
       SET state = 'available', leased_by = NULL, leased_until = NULL, last_error = error_message,
           run_at = now() + k.backoff_base * 2 ^ (j.attempt - 1) * (1 + random() / 4)
     WHERE x.id = job_id;
    RETURN 'retried';
  END IF;
  UPDATE skeldir.jobs AS x
     SET state = 'dead', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL,
         last_error = error_message
   WHERE x.id = job_id;
  PERFORM set_config('app.current_tenant_id', coalesce(j.tenant_scope, skeldir.system_tenant())::text, true);
  INSERT INTO skeldir.worker_failed_jobs (tenant_id, job_id, task, queue, args, error_class, error_message, retry_count)
  VALUES (coalesce(j.tenant_scope, skeldir.system_tenant()), j.id, j.kind, j.queue, j.args, error_class,
          left(error_message, 2000), j.attempt - 1)
  ON CONFLICT ON CONSTRAINT worker_failed_jobs_tenant_id_job_id_key DO NOTHING;
  PERFORM set_config('app.current_tenant_id', '', true);
  RETURN 'dead_lettered';
END
$$;

-- Claims, runs and settles up to max_jobs due batchable jobs of a queue in
-- one transaction. Each body runs in its own subtransaction, so one failing
-- job does not undo the others; locks skip jobs another dispatcher holds.
CREATE FUNCTION worker.work(queue text, max_jobs integer, worker_id text)
RETURNS TABLE (job_id bigint, kind text, outcome text, seconds double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  j record;
  started timestamptz;
  failure text;
  failure_class text;
BEGIN
  FOR j IN SELECT c.id, c.kind, c.args, c.tenant_scope, k.body
             FROM skeldir.jobs AS c JOIN skeldir.job_kinds AS k ON k.kind = c.kind
            WHERE c.queue = work.queue::skeldir.queue AND c.state = 'available' AND c.run_at <= now() AND k.batchable
            ORDER BY c.run_at, c.id
            LIMIT max_jobs
              FOR UPDATE OF c SKIP LOCKED LOOP
    started := clock_timestamp();
    failure := NULL;
    BEGIN
      PERFORM skeldir.run_job_body(j.id, j.body, j.args, j.tenant_scope);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_class = RETURNED_SQLSTATE;
    END;
    UPDATE skeldir.jobs AS x
       SET attempt = x.attempt + 1, started_at = started,
           state = CASE WHEN failure IS NULL THEN 'completed'::skeldir.job_state ELSE 'running' END,
           finished_at = CASE WHEN failure IS NULL THEN clock_timestamp() END,
           leased_by = CASE WHEN failure IS NOT NULL THEN worker_id END
     WHERE x.id = j.id;
    outcome := CASE WHEN failure IS NULL THEN 'completed'
                    ELSE skeldir.settle_failure(j.id, failure_class, failure) END;
    job_id := j.id;
    kind := j.kind;
    seconds := extract(epoch FROM clock_timestamp() - started);
    RETURN NEXT;
  END LOOP;
END
$$;

-- Leases up to max_jobs due jobs of a queue that must run one at a time;
-- each comes back with the soft limit the dispatcher applies to it.
CREATE FUNCTION worker.claim(queue text, max_jobs integer, worker_id text)
RETURNS TABLE (job_id bigint, kind text, attempt integer, soft_limit_ms bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH claimed AS (
    SELECT c.id FROM skeldir.jobs AS c JOIN skeldir.job_kinds AS k ON k.kind = c.kind
     WHERE c.queue = claim.queue::skeldir.queue AND c.state = 'available' AND c.run_at <= now()
       AND NOT k.batchable
     ORDER BY c.run_at, c.id
     LIMIT max_jobs
       FOR UPDATE OF c SKIP LOCKED
  )
  UPDATE skeldir.jobs AS j
     SET state = 'running', attempt = j.attempt + 1, started_at = clock_timestamp(), leased_by = worker_id,
         leased_until = now() + k.hard_limit
    FROM claimed, skeldir.job_kinds AS k
   WHERE j.id = claimed.id AND k.kind = j.kind
  RETURNING j.id, j.kind, j.attempt, (extract(epoch FROM k.soft_limit) * 1000)::bigint;
END;

-- Runs a leased job and completes it, in one transaction: its side effects
-- and its completion commit together or not at all. The job row stays locked
-- while it runs, so the reaper cannot hand it to another dispatcher even if
-- the lease runs out.
CREATE FUNCTION worker.execute(job_id bigint, worker_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  j skeldir.jobs;
BEGIN
  SELECT * INTO j FROM skeldir.jobs AS x
   WHERE x.id = job_id AND x.state = 'running' AND x.leased_by = worker_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'job % is not leased to %', job_id, worker_id USING ERRCODE = 'lock_not_available';
  END IF;
  PERFORM skeldir.run_job_body(j.id, (SELECT k.body FROM skeldir.job_kinds AS k WHERE k.kind = j.kind),
                               j.args, j.tenant_scope);
  UPDATE skeldir.jobs AS x
     SET state = 'completed', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL
   WHERE x.id = job_id;
END
$$;

-- Records a failed attempt of a leased job; 'retried', 'dead_lettered', or
-- 'not_leased' when the lease was lost meanwhile (the reaper settled it).
CREATE FUNCTION worker.fail(job_id bigint, worker_id text, error_class text, error_message text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM FROM skeldir.jobs AS x
   WHERE x.id = job_id AND x.state = 'running' AND x.leased_by = worker_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_leased';
  END IF;
  RETURN skeldir.settle_failure(job_id, error_class, error_message);
END
$$;

-- Running jobs whose lease ran out and that nobody is running (their row is
-- not locked): their dispatcher died. Each counts as a failed attempt.
CREATE FUNCTION skeldir.reap_expired_leases() RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  reaped integer := 0;
  expired bigint;
BEGIN
  FOR expired IN SELECT x.id FROM skeldir.jobs AS x
                  WHERE x.state = 'running' AND x.leased_until < now()
                    FOR UPDATE SKIP LOCKED LOOP
    PERFORM skeldir.settle_failure(expired, 'lease_expired', 'the lease expired: its dispatcher stopped');
    reaped := reaped + 1;
  END LOOP;
  RETURN reaped;
END
$$;

-- Fires the due schedules (the scheduler's leader calls this every second).
CREATE FUNCTION worker.enqueue_due_schedules() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  s skeldir.schedules;
  fired integer := 0;
BEGIN
  FOR s IN SELECT * FROM skeldir.schedules AS x WHERE x.enabled AND x.next_run_at <= now()
              FOR UPDATE SKIP LOCKED LOOP
    PERFORM skeldir.enqueue(s.kind, s.args, NULL, NULL,
                            'schedule:' || s.name || ':' || extract(epoch FROM s.next_run_at)::bigint);
    UPDATE skeldir.schedules AS x
       SET next_run_at = greatest(s.next_run_at + s.every, now())
     WHERE x.name = s.name;
    fired := fired + 1;
  END LOOP;
  RETURN fired;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION worker.enqueue_due_schedules();
DROP FUNCTION skeldir.reap_expired_leases();
DROP FUNCTION worker.fail(bigint, text, text, text);
DROP FUNCTION worker.execute(bigint, text);
DROP FUNCTION worker.claim(text, integer, text);
DROP FUNCTION worker.work(text, integer, text);
DROP FUNCTION skeldir.settle_failure(bigint, text, text);
DROP FUNCTION skeldir.settle_attempt(bigint, text, text);
DROP FUNCTION skeldir.run_job_body(bigint, regproc, jsonb, uuid);
DROP FUNCTION worker.enqueue(text, jsonb, uuid, timestamptz, text);
DROP FUNCTION skeldir.enqueue(text, jsonb, uuid, timestamptz, text);
