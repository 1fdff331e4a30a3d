-- migrate:up
-- skeldir.enqueue goes back to the body of 20261204030600: the reread of
-- the joined job's state and the refusal outside READ COMMITTED that
-- 20261204070100 added guard a case that does not arise, and cost a lookup
-- a request.
--
-- 20261204070100 supposed that a request whose statement saw a job pending
-- just before its claim committed, and that locked it only after the job
-- ran, would get the row as it saw it. It does not: every writer of a
-- claimed job after the claim (worker.execute, worker.fail, the lease
-- reaper) locks it FOR UPDATE before its UPDATE, which PostgreSQL records
-- as a key update, and a KEY SHARE lock that meets a key update in the
-- row's chain rereads the newest version against the statement's
-- condition (state = 'available'), finds none, and the request inserts the
-- next job; under REPEATABLE READ it fails to serialize instead. Shown on
-- a throwaway cluster: a request held between its snapshot and its lock
-- (pg_sleep in its WHERE), the job claimed, then locked, completed and
-- committed by a stand-in for worker.execute: the request's SELECT ...
-- FOR KEY SHARE returned no row. The only chain without a key update is the
-- claim's alone (running, not yet started), and there the request's lock
-- lands on the running row, which worker.execute waits for.
SET LOCAL ROLE skeldir_owner;

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
      -- Held until commit: a job claimed meanwhile starts after (worker.execute
      -- waits for this lock).
      SELECT j.id INTO job FROM skeldir.jobs AS j
       WHERE j.dedupe_key = enqueue.dedupe_key AND j.state = 'available'
         FOR KEY SHARE;
      IF job IS NOT NULL THEN
        RETURN job;
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
-- (Forward only, README "Migrations": skeldir.enqueue keeps this body;
-- 20261204070100 defines the one before.)
SELECT 1;
