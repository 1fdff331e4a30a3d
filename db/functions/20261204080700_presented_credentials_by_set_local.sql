-- migrate:up
-- The credential a request presents (an API key's, a webhook URL token's or
-- a refresh token's hash, a login's email) is set for the policies that
-- find it with SET LOCAL, through skeldir.set_local, instead of
-- set_config(..., true) (issue 16), as the tenant context is
-- (20261204070900). Citus carries a transaction's SET LOCAL commands to the
-- workers, and nothing else: the users and refresh tokens are distributed,
-- so a login or a refresh asks their shards, whose policies saw no
-- presented email or token and found nothing. (The keys and URL tokens are
-- reference tables read on the coordinator, 20261204080100; they are set
-- the same way.)
--
-- The helper keeps set_config's arguments, so that the five functions that
-- set one are rewritten by replacing the start of each call: they are
-- redefined from their catalog definitions with that one replacement, as
-- the migrating superuser, whose CREATE OR REPLACE keeps each function's
-- owner and grants. tests/sql/distributable.sql holds the rule.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.set_local(setting text, value text, for_the_transaction boolean) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF for_the_transaction IS NOT TRUE THEN
    RAISE EXCEPTION '% is set for the transaction only', setting USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF setting !~ '^app\.presented_[a-z_]+$' THEN
    RAISE EXCEPTION '% is not a presented credential', setting USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('SET LOCAL %s = %L', setting, coalesce(value, ''));
  RETURN coalesce(value, '');
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.set_local(text, text, boolean) FROM PUBLIC;

COMMENT ON FUNCTION skeldir.set_local(text, text, boolean) IS
  'Sets an app.presented_* setting for the transaction (SET LOCAL, which Citus carries to the workers); returns it.';

RESET ROLE;
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     -- (pg_get_functiondef refuses aggregates, whatever the order of tests)
     WHERE CASE WHEN n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.prokind IN ('f', 'p')
                THEN pg_get_functiondef(p.oid) ~ 'set_config\(''app\.presented_' END
     ORDER BY p.oid
  LOOP
    EXECUTE replace(pg_get_functiondef(f), 'set_config(''app.presented_', 'skeldir.set_local(''app.presented_');
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
