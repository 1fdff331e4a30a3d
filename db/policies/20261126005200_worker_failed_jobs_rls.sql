-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.worker_failed_jobs');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.worker_failed_jobs;
ALTER TABLE skeldir.worker_failed_jobs NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
