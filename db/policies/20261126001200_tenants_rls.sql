-- migrate:up
-- A tenant sees its own row and nothing else.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON skeldir.tenants
  USING (id = skeldir.current_tenant_id())
  WITH CHECK (id = skeldir.current_tenant_id());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.tenants;
ALTER TABLE skeldir.tenants NO FORCE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenants DISABLE ROW LEVEL SECURITY;
