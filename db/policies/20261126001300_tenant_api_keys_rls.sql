-- migrate:up
-- Besides the tenant's own keys, a key row is visible to whoever presents that
-- very key: tenant resolution must find the tenant before it can set the
-- tenant context, and knowing the key already means knowing its tenant.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.tenant_api_keys');
CREATE POLICY presented_key ON skeldir.tenant_api_keys FOR SELECT
  USING (key_hash = skeldir.presented_key_hash());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY presented_key ON skeldir.tenant_api_keys;
DROP POLICY tenant_isolation ON skeldir.tenant_api_keys;
ALTER TABLE skeldir.tenant_api_keys NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
