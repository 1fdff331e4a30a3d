-- The schema is written in forms both PostgreSQL and Citus run (issue 16;
-- make test-citus runs the migrations and these suites on a cluster). Each
-- check names a form Citus refuses and the migration that rewrote it.
BEGIN;
SELECT plan(5);

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

-- Citus routes a statement to its tenant's shard from a value, not from a
-- call it cannot see when it plans (20261204081700, 081900-082100).
SELECT is_empty($$
  SELECT routine FROM routine WHERE definition ~ 'tenant_id = \(?(SELECT )?skeldir\.current_tenant_id\(\)'
$$, 'no function compares tenant_id with a call of skeldir.current_tenant_id() (it reads the tenant into a variable)');

-- The tables Citus distributes by tenant, and the functions' statements
-- that write one of them from an upsert.
CREATE TEMP VIEW tenant_table AS
  SELECT c.oid::regclass::text AS name FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname = 'skeldir' AND c.relkind IN ('r', 'p')
     AND EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped);

-- Citus cannot plan the parameterised statements of a SQL-language function
-- on a distributed table (20261204080300).
SELECT is_empty($$
  SELECT r.routine FROM routine AS r JOIN pg_proc AS p ON p.oid = r.routine
   WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
     AND EXISTS (SELECT 1 FROM tenant_table AS t
                  WHERE r.definition ~* ('\m(from|join|into|update)\s+' || replace(t.name, '.', '\.') || '\M'))
$$, 'no SQL-language function reads or writes a tenant table (PL/pgSQL gives its parameters values)');

-- Citus takes only immutable expressions in ON CONFLICT DO UPDATE SET on a
-- distributed table (20261204080600: the row's proposed time instead).
SELECT is_empty($$
  SELECT r.routine, m[1] FROM routine AS r
   CROSS JOIN LATERAL regexp_matches(r.definition,
     'INSERT INTO (skeldir\.[a-z_]+)[^;]*?DO UPDATE[^;]*?(now|clock_timestamp|statement_timestamp)\(\)', 'g') AS m
   WHERE m[1] IN (SELECT name FROM tenant_table)
$$, 'no upsert of a tenant table calls the clock in DO UPDATE SET');

SELECT * FROM finish();
ROLLBACK;
