-- The schema is written in forms both PostgreSQL and Citus run (issue 16;
-- make test-citus runs the migrations and these suites on a cluster). Each
-- check names a form Citus refuses and the migration that rewrote it.
BEGIN;
SELECT plan(2);

-- The functions of the five schemas, with their definitions.
CREATE TEMP VIEW routine AS
  SELECT p.oid::regprocedure AS routine, pg_get_functiondef(p.oid) AS definition
    FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
   WHERE n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics')
     -- (pg_get_functiondef refuses aggregates)
     AND p.prokind IN ('f', 'p');

-- A zero-column subquery over a distributed table is planned into a read
-- Citus cannot describe (20261204080000).
SELECT is_empty($$
  SELECT routine FROM routine WHERE definition ~* 'exists\s*\(\s*select\s+from\M'
$$, 'no function has an EXISTS subquery without a column (EXISTS (SELECT 1 FROM ...))');

-- Citus carries SET LOCAL to the workers, and set_config not: a
-- presented credential is set as the tenant context is (20261204080700,
-- tenant_context.sql).
SELECT is_empty($$
  SELECT routine FROM routine WHERE definition ~ 'set_config\(''app\.'
$$, 'no function sets an app.* setting but with SET LOCAL (skeldir.set_local, skeldir.set_tenant_context)');

SELECT * FROM finish();
ROLLBACK;
