-- migrate:up
-- Backs GET /health/ready (SPEC §8). Proves, rather than assumes, the two things
-- tenant isolation rests on: every tenant table has RLS enabled and forced, and
-- under a tenant that does not exist the owner itself sees no tenant rows; and
-- the tenant setting round-trips through the helper every policy uses. It
-- also says how the change feed is doing (SPEC §7): ok, behind (lagging 10 s
-- or more), stalled (no consumer heartbeat) or fallback (the ingest path
-- enqueues its own work); that never makes the daemon unready.
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
  feed text;
BEGIN
  -- The change feed is reported, never counted against readiness: behind or
  -- stalled, its changes wait in the slot and webhooks are still stored.
  SELECT CASE WHEN f.mode = 'fallback' THEN 'fallback'
              WHEN f.heartbeat_at IS NULL OR f.heartbeat_at < now() - f.stale_after THEN 'stalled'
              WHEN f.lag_seconds >= 10 THEN 'behind'
              ELSE 'ok' END INTO feed
    FROM skeldir.change_feed AS f;

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
    'tenant_guc', CASE WHEN guc_ok THEN 'ok' ELSE 'error' END,
    'change_feed', coalesce(feed, 'fallback'));
END
$$;
COMMENT ON FUNCTION api.readiness() IS
  'Readiness report: {status, database, rls, tenant_guc, change_feed}; status is ok only when database, rls and tenant_guc are; change_feed (ok, behind, stalled, fallback) is informative.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.readiness();
