-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.ad_spend');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.ad_spend;
ALTER TABLE skeldir.ad_spend NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
