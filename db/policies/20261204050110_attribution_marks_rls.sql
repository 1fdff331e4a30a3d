-- migrate:up
-- A tenant table: the tenant policy, and the analysts' binding
-- (20261203010200) that every tenant table carries. No runtime role reads it
-- (the recompute runs as its owner).
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.attribution_marks');
CREATE POLICY analyst_binding ON skeldir.attribution_marks AS RESTRICTIVE FOR SELECT TO skeldir_readonly
  USING (tenant_id = (SELECT skeldir.analyst_tenant()));

-- migrate:down
-- (Forward only, README "Migrations".)
