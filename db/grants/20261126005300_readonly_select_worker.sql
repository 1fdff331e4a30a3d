-- migrate:up
-- Analysts see failed jobs under RLS; the queue itself is the dispatcher's.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.worker_failed_jobs TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.worker_failed_jobs FROM skeldir_readonly;
