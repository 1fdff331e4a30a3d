-- migrate:up
-- As with API keys: besides the tenant's own tokens, a token row is visible
-- to whoever presents that very token (resolution must find the tenant
-- before it can set the tenant context).
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.tenant_webhook_tokens');
CREATE POLICY presented_token ON skeldir.tenant_webhook_tokens FOR SELECT
  USING (token_hash = skeldir.presented_webhook_token_hash());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY presented_token ON skeldir.tenant_webhook_tokens;
DROP POLICY tenant_isolation ON skeldir.tenant_webhook_tokens;
ALTER TABLE skeldir.tenant_webhook_tokens NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
