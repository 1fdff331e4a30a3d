-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.attribution_events');
SELECT skeldir.isolate_by_tenant('skeldir.revenue_ledger');
SELECT skeldir.isolate_by_tenant('skeldir.dead_events');
SELECT skeldir.isolate_by_tenant('skeldir.tenant_paypal_certificates');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.attribution_events;
DROP POLICY tenant_isolation ON skeldir.revenue_ledger;
DROP POLICY tenant_isolation ON skeldir.dead_events;
DROP POLICY tenant_isolation ON skeldir.tenant_paypal_certificates;
ALTER TABLE skeldir.attribution_events NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.revenue_ledger NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.dead_events NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.tenant_paypal_certificates NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
