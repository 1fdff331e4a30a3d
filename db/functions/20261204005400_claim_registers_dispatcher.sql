-- migrate:up
-- worker.claim registers the claiming dispatcher in skeldir.dispatchers
-- (20261204005100) in the statement that leases its jobs, so no job is ever
-- leased by a dispatcher without a row, and one that just claimed is alive
-- for the next ten seconds whatever its heartbeat does: the lease reaper
-- takes a job whose dispatcher has no fresh row for an orphan
-- (20261204005500). Its own beats (worker.beat, every second, with the same
-- ten seconds) keep it alive from then on; a claim never shortens a longer
-- beat. A claim that leases nothing writes nothing: dispatchers poll for work
-- far more often than they beat. The rest is as in 20261126005400.
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
       FOR UPDATE OF c SKIP LOCKED
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

-- migrate:down
-- The body of 20261126005400 again (it does not name skeldir.dispatchers,
-- which the down of 20261204005100 drops).
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
       FOR UPDATE OF c SKIP LOCKED
  )
  UPDATE skeldir.jobs AS j
     SET state = 'running', attempt = j.attempt + 1, started_at = clock_timestamp(), leased_by = worker_id,
         leased_until = now() + k.hard_limit
    FROM claimed, skeldir.job_kinds AS k
   WHERE j.id = claimed.id AND k.kind = j.kind
  RETURNING j.id, j.kind, j.attempt, (extract(epoch FROM k.soft_limit) * 1000)::bigint;
END;
