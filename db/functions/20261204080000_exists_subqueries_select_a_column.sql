-- migrate:up
-- EXISTS subqueries select a column: `EXISTS (SELECT 1 FROM …)`, not
-- `EXISTS (SELECT FROM …)` (issue 16). Citus plans a zero-column subquery
-- over a distributed table into a read of an intermediate result that it
-- cannot describe ('a column definition list is required for functions
-- returning "record"', make test-citus, skeldir.recompute_attribution;
-- citusdata/citus#5094). On plain PostgreSQL the two forms are the same
-- plan.
--
-- Every function of the five schemas whose definition holds the zero-column
-- form is redefined from its catalog definition (pg_get_functiondef) with
-- that one rewrite and nothing else, as the migrating superuser, whose
-- CREATE OR REPLACE keeps each function's owner and grants (as
-- 20261204070900 did). tests/sql/distributable.sql holds the rule.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     -- (pg_get_functiondef refuses aggregates, whatever the order of tests)
     WHERE CASE WHEN n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.prokind IN ('f', 'p')
                THEN pg_get_functiondef(p.oid) ~* 'exists\s*\(\s*select\s+from\M' END
     ORDER BY p.oid
  LOOP
    EXECUTE regexp_replace(pg_get_functiondef(f), '(exists\s*\(\s*select)(\s+from\M)', '\1 1\2', 'gi');
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
