-- migrate:up
-- The dispatchers that may hold leases, each alive until expires_at: a
-- dispatcher beats (worker.beat) every second or so, and worker.claim
-- registers it with every lease it takes, so no job is leased by a
-- dispatcher without a row. A running job whose dispatcher's row expired (or
-- is gone) and that no transaction holds is an orphan: the lease reaper hands
-- it back within seconds instead of waiting out the kind's hard limit.
--
-- Only skeldir_worker's functions write here; no runtime role holds a
-- privilege on the table. Not a tenant table: dispatchers serve every tenant.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.dispatchers (
  id          text PRIMARY KEY CHECK (id <> ''),   -- the worker_id of worker.claim and skeldir.jobs.leased_by
  started_at  timestamptz NOT NULL DEFAULT now(),
  beat_at     timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

COMMENT ON TABLE skeldir.dispatchers IS
  'Dispatcher heartbeats: a dispatcher is alive until expires_at. Written only through worker.beat, worker.claim and the lease reaper.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.dispatchers;
