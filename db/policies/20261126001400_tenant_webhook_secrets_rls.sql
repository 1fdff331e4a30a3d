-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.tenant_webhook_secrets');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.tenant_webhook_secrets;
ALTER TABLE skeldir.tenant_webhook_secrets NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
