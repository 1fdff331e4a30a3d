-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.attribution_allocations');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.attribution_allocations;
ALTER TABLE skeldir.attribution_allocations NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
