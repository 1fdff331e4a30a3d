-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.realtime_revenue');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.realtime_revenue;
ALTER TABLE skeldir.realtime_revenue NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
