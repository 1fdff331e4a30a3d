-- What a runtime role might try if it were turned against the database: every
-- attempt fails. (Probed as skeldir_worker and skeldir_api.)
BEGIN;
SELECT plan(18);

CREATE TEMP TABLE probe (role text, attempt text, statement text);
INSERT INTO probe
SELECT r, a, s
  FROM unnest(ARRAY['skeldir_worker', 'skeldir_api']) AS r,
       (VALUES ('create a table in skeldir',  'CREATE TABLE skeldir.stray (x int)'),
               ('create a table in public',   'CREATE TABLE public.stray (x int)'),
               ('disable RLS',                'ALTER TABLE skeldir.worker_failed_jobs DISABLE ROW LEVEL SECURITY'),
               ('unforce RLS',                'ALTER TABLE skeldir.attribution_events NO FORCE ROW LEVEL SECURITY'),
               ('read with row_security off', 'SET LOCAL row_security = off; SELECT count(*) FROM skeldir.worker_failed_jobs'),
               ('create a role',              'CREATE ROLE stray_role'),
               ('grant itself the owner',     'GRANT skeldir_owner TO CURRENT_USER'),
               ('make itself BYPASSRLS',      'ALTER ROLE CURRENT_USER BYPASSRLS'),
               ('read a tenant table',        'SELECT count(*) FROM skeldir.tenant_webhook_secrets')) AS p(a, s);
GRANT SELECT ON probe TO PUBLIC;

-- Runs statement as role in a subtransaction; the SQLSTATE it failed with,
-- or 'succeeded'.
CREATE FUNCTION pg_temp.attempt(role text, statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', role);
  EXECUTE statement;
  RESET ROLE;
  RETURN 'succeeded';
EXCEPTION WHEN OTHERS THEN
  RESET ROLE;
  RETURN SQLSTATE;
END
$$;

SELECT is(pg_temp.attempt(p.role, p.statement), '42501', format('%s cannot %s', p.role, p.attempt))
  FROM probe AS p ORDER BY p.role DESC, p.attempt;

SELECT * FROM finish();
ROLLBACK;
