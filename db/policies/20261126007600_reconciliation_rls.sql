-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.reconciliation_runs');
SELECT skeldir.isolate_by_tenant('skeldir.reconciliation_results');
SELECT skeldir.isolate_by_tenant('skeldir.reconciliation_platform_status');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.reconciliation_platform_status;
DROP POLICY tenant_isolation ON skeldir.reconciliation_results;
DROP POLICY tenant_isolation ON skeldir.reconciliation_runs;
ALTER TABLE skeldir.reconciliation_platform_status NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.reconciliation_results NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.reconciliation_runs NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
