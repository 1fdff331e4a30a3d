-- migrate:up
-- A pending job that its askers still hold is claimed, and waits for them
-- when it starts, instead of being skipped by every claim until none holds
-- it (issue 15, target 5).
--
-- A request that finds its job pending (skeldir.enqueue, same dedupe key)
-- holds it with a KEY SHARE row lock until it commits, so that the job
-- starts after the request's rows are there. worker.claim took its jobs
-- FOR UPDATE SKIP LOCKED, which skips a job any request holds; under
-- steady ingest a tenant's pending revenue.realtime job is nearly always held
-- by some request in flight, every delivery of the tenant folds into it
-- meanwhile, and nothing wakes the dispatcher when the last holder commits
-- (no job is inserted), so it waited for the poll (SKELDIR_WORKER_POLL, 1 s)
-- and often for the next one: most jobs started within 11-40 ms, but the few
-- skipped ones, max 1.2-1.6 s, held most deliveries (realtime lag p95
-- 0.7-0.9 s at 150-250 deliveries/s, 3.6 s at the bench's peak rate).
--
-- Now the claim locks FOR NO KEY UPDATE SKIP LOCKED: it still skips jobs
-- another claim or a running job holds, but not a request's KEY SHARE, and
-- marking a job running is not a key update, so the requests' locks carry
-- over to the running row. worker.execute locks that row FOR UPDATE before
-- the body, as before, and so waits there for the requests that hold it:
-- the job starts after they commit, as it did, but it is claimed at once.
-- Requests after the claim's commit see the job running and make the next.
--
-- One case is new: a request whose statement saw the job pending just
-- before the claim committed, and that locks it only once it runs, waits
-- for worker.execute's lock and then gets the row as it saw it (PostgreSQL
-- locks a row's newer versions for a KEY SHARE without rereading it, as a
-- foreign-key check does), after the job ran without it. So skeldir.enqueue
-- reads the state again once it holds the job (a new snapshot in READ
-- COMMITTED): pending or running (execute not yet past its lock, which now
-- waits for this request) is held; anything else is asked again. Under
-- REPEATABLE READ or SERIALIZABLE the reread sees the old snapshot, so a
-- request there refuses to fold into a pending job rather than lose its ask
-- (no caller runs at those levels).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION worker.claim(queue text, max_jobs integer, worker_id text)
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
       FOR NO KEY UPDATE OF c SKIP LOCKED
  ), registered AS (
    INSERT INTO skeldir.dispatchers AS d (id, expires_at)
    SELECT claim.worker_id, now() + interval '10 seconds' WHERE EXISTS (SELECT FROM claimed)
    ON CONFLICT (id) DO UPDATE SET beat_at = now(), expires_at = greatest(d.expires_at, excluded.expires_at)
  )
  UPDATE skeldir.jobs AS j
     SET state = 'running', attempt = j.attempt + 1, started_at = clock_timestamp(), leased_by = worker_id,
         leased_until = now() + k.hard_limit
    FROM claimed, skeldir.job_kinds AS k
   WHERE j.id = claimed.id AND k.kind = j.kind
  RETURNING j.id, j.kind, j.attempt, (extract(epoch FROM k.soft_limit) * 1000)::bigint;
END;

CREATE OR REPLACE FUNCTION skeldir.enqueue(kind text, args jsonb DEFAULT '{}', tenant uuid DEFAULT NULL,
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
  IF k.fault THEN
    IF NOT (SELECT f.enabled FROM skeldir.fault_injection AS f) THEN
      RAISE EXCEPTION 'fault injection is disabled: % cannot be enqueued', kind
        USING ERRCODE = 'insufficient_privilege', HINT = 'An operator enables it with admin.set_fault_injection(true).';
    END IF;
  END IF;
  LOOP
    IF dedupe_key IS NOT NULL THEN
      SELECT j.id INTO job FROM skeldir.jobs AS j
       WHERE j.dedupe_key = enqueue.dedupe_key AND j.state = 'available'
         FOR KEY SHARE;
      IF job IS NOT NULL THEN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
          RAISE EXCEPTION 'a job request that may join a pending job must run in READ COMMITTED'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        -- Held, and not yet started: its start waits for this transaction.
        IF (SELECT j.state FROM skeldir.jobs AS j WHERE j.id = job) IN ('available', 'running') THEN
          RETURN job;
        END IF;
        -- It ran without this request's changes: ask again.
        CONTINUE;
      END IF;
    END IF;
    INSERT INTO skeldir.jobs AS j (kind, queue, args, tenant_scope, run_at, dedupe_key)
    VALUES (k.kind, k.queue, coalesce(args, '{}'), tenant, coalesce(run_at, now()), dedupe_key)
    ON CONFLICT (dedupe_key) WHERE state = 'available' DO NOTHING
    RETURNING j.id INTO job;
    IF job IS NOT NULL THEN
      PERFORM pg_notify('skeldir_jobs', k.queue::text);  -- delivered at commit
      RETURN job;
    END IF;
    -- Inserted by another transaction in between, or claimed in between
    -- (it may have read its inputs already): ask again.
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": worker.claim and skeldir.enqueue keep
-- these bodies; 20261204005400 and 20261204030600 define the ones before.)
SELECT 1;
