-- migrate:up
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.tenant_webhook_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenant_webhook_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON skeldir.tenant_webhook_secrets
  USING (tenant_id = skeldir.current_tenant_id())
  WITH CHECK (tenant_id = skeldir.current_tenant_id());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.tenant_webhook_secrets;
ALTER TABLE skeldir.tenant_webhook_secrets NO FORCE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenant_webhook_secrets DISABLE ROW LEVEL SECURITY;
