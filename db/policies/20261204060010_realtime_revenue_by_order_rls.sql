-- migrate:up
-- Tenant tables: the tenant policy and the analysts' binding
-- (20261203010200) that every tenant table carries. No runtime role reads
-- them: the ledger's trigger and the refresh write them as their callers.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.realtime_revenue_orders');
CREATE POLICY analyst_binding ON skeldir.realtime_revenue_orders AS RESTRICTIVE FOR SELECT TO skeldir_readonly
  USING (tenant_id = (SELECT skeldir.analyst_tenant()));
SELECT skeldir.isolate_by_tenant('skeldir.realtime_revenue_marks');
CREATE POLICY analyst_binding ON skeldir.realtime_revenue_marks AS RESTRICTIVE FOR SELECT TO skeldir_readonly
  USING (tenant_id = (SELECT skeldir.analyst_tenant()));

-- migrate:down
-- (Forward only, README "Migrations".)
