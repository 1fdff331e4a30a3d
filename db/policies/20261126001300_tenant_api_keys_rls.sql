-- migrate:up
-- Besides the tenant's own keys, a key row is visible to whoever presents that
-- very key: tenant resolution must find the tenant before it can set the
-- tenant context, and knowing the key already means knowing its tenant.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.tenant_api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenant_api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON skeldir.tenant_api_keys
  USING (tenant_id = skeldir.current_tenant_id())
  WITH CHECK (tenant_id = skeldir.current_tenant_id());
CREATE POLICY presented_key ON skeldir.tenant_api_keys FOR SELECT
  USING (key_hash = skeldir.presented_key_hash());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY presented_key ON skeldir.tenant_api_keys;
DROP POLICY tenant_isolation ON skeldir.tenant_api_keys;
ALTER TABLE skeldir.tenant_api_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenant_api_keys DISABLE ROW LEVEL SECURITY;
