-- migrate:up
-- The tenant context is set with SET LOCAL, through one helper,
-- skeldir.set_tenant_context, instead of set_config(..., true) (issue 16).
--
-- Citus carries a transaction's SET LOCAL commands to the connections it
-- opens to the workers (with citus.propagate_set_commands = 'local'), and
-- nothing else: a context set with set_config stayed on the coordinator,
-- and the shards' forced row-level security saw none (make test-citus, the
-- pgTAP suites: 'new row violates row-level security policy for table
-- "tenants_102021"' when creating a tenant). On plain PostgreSQL SET LOCAL
-- and set_config(..., true) are the same setting with the same lifetime.
--
-- The helper keeps set_config's arguments after the name (the value, and
-- true for the transaction, the only lifetime it sets), so that every
-- caller is rewritten by replacing the start of its call: the 21 functions
-- that set the context are redefined from their catalog definitions
-- (pg_get_functiondef) with that one replacement and nothing else, as the
-- migrating superuser, whose CREATE OR REPLACE keeps each function's owner
-- and grants. tests/sql/tenant_context.sql holds the rule.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.set_tenant_context(tenant text, for_the_transaction boolean) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF for_the_transaction IS NOT TRUE THEN
    RAISE EXCEPTION 'the tenant context is set for the transaction only' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('SET LOCAL app.current_tenant_id = %L', coalesce(tenant, ''));
  RETURN coalesce(tenant, '');
END
$$;

COMMENT ON FUNCTION skeldir.set_tenant_context(text, boolean) IS
  'Sets app.current_tenant_id for the transaction (SET LOCAL, which Citus carries to the workers); returns it.';

RESET ROLE;
DO $$
DECLARE
  f regprocedure;
  def text;
BEGIN
  FOR f IN
    SELECT p.oid FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     WHERE p.oid <> 'skeldir.set_tenant_context(text, boolean)'::regprocedure
       -- (pg_get_functiondef refuses aggregates, whatever the order of tests)
       AND CASE WHEN n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.prokind IN ('f', 'p')
                THEN pg_get_functiondef(p.oid) ~ 'set_config\(''app\.current_tenant_id''(::text)?, ' END
     ORDER BY p.oid
  LOOP
    def := replace(replace(pg_get_functiondef(f),
                           'set_config(''app.current_tenant_id''::text, ', 'skeldir.set_tenant_context('),
                   'set_config(''app.current_tenant_id'', ', 'skeldir.set_tenant_context(');
    EXECUTE def;
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
SELECT 1;
