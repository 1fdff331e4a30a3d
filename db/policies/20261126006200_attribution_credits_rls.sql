-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.attribution_credits');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.attribution_credits;
ALTER TABLE skeldir.attribution_credits NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
