-- api.readiness() backs /health/ready: ok only while isolation really holds.
BEGIN;
SELECT plan(4);

SELECT is(api.readiness(),
  '{"status": "ok", "database": "ok", "rls": "ok", "tenant_guc": "ok"}'::jsonb,
  'a migrated database is ready');

SELECT set_config('app.current_tenant_id', 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff', true);
SELECT api.readiness();
SELECT is(current_setting('app.current_tenant_id'), 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
  'the check restores the caller''s tenant setting');

ALTER TABLE skeldir.tenant_webhook_secrets NO FORCE ROW LEVEL SECURITY;
SELECT is(api.readiness() ->> 'rls', 'error', 'a tenant table without FORCE makes the database unready');
SELECT is(api.readiness() ->> 'status', 'unhealthy', 'and the status says so');

SELECT * FROM finish();
ROLLBACK;
