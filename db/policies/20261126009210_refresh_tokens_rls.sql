-- migrate:up
-- Besides the tenant's own tokens, a token row is visible to the owner (that
-- is, to definer functions) when its digest is the one being presented:
-- refresh must find the token before it knows the tenant, and holding the
-- token already means knowing its tenant.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.refresh_tokens');
CREATE POLICY presented_token ON skeldir.refresh_tokens FOR SELECT TO skeldir_owner
  USING (token_hash = skeldir.presented_refresh_token_hash());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY presented_token ON skeldir.refresh_tokens;
DROP POLICY tenant_isolation ON skeldir.refresh_tokens;
ALTER TABLE skeldir.refresh_tokens NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
