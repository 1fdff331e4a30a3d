-- migrate:up
-- A tenant sees its own row and nothing else.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.tenants', 'id');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.tenants;
ALTER TABLE skeldir.tenants NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
