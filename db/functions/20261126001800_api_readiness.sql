-- migrate:up
-- Backs GET /health/ready (SPEC §8). Proves, rather than assumes, the two things
-- tenant isolation rests on: every tenant table has RLS enabled and forced, and
-- under a tenant that does not exist the owner itself sees no tenant rows; and
-- the tenant setting round-trips through the helper every policy uses.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.readiness() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  probe uuid := gen_random_uuid();
  rls_ok boolean;
  guc_ok boolean;
BEGIN
  PERFORM set_config('app.current_tenant_id', probe::text, true);
  guc_ok := skeldir.current_tenant_id() IS NOT DISTINCT FROM probe;

  SELECT coalesce(bool_and(c.relrowsecurity AND c.relforcerowsecurity), false) INTO rls_ok
    FROM skeldir.tenant_tables() AS t JOIN pg_class AS c ON c.oid = t;
  rls_ok := rls_ok AND NOT EXISTS (SELECT FROM skeldir.tenants);

  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  RETURN jsonb_build_object(
    'status',     CASE WHEN rls_ok AND guc_ok THEN 'ok' ELSE 'unhealthy' END,
    'database',   'ok',
    'rls',        CASE WHEN rls_ok THEN 'ok' ELSE 'error' END,
    'tenant_guc', CASE WHEN guc_ok THEN 'ok' ELSE 'error' END);
END
$$;
COMMENT ON FUNCTION api.readiness() IS
  'Readiness report: {status, database, rls, tenant_guc}; status is ok only when every part is.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.readiness();
