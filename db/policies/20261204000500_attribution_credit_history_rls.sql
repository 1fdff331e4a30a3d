-- migrate:up
-- The history is a tenant table: the tenant policy, and the analysts'
-- binding (20261203010200) that every tenant table carries.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.attribution_credit_history');
CREATE POLICY analyst_binding ON skeldir.attribution_credit_history AS RESTRICTIVE FOR SELECT TO skeldir_readonly
  USING (tenant_id = (SELECT skeldir.analyst_tenant()));

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY analyst_binding ON skeldir.attribution_credit_history;
DROP POLICY tenant_isolation ON skeldir.attribution_credit_history;
ALTER TABLE skeldir.attribution_credit_history NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
