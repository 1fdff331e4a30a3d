-- api.readiness() backs /health/ready: ok only while isolation really holds.
BEGIN;
SELECT plan(8);

SELECT is(api.readiness(),
  '{"status": "ok", "database": "ok", "rls": "ok", "tenant_guc": "ok", "change_feed": "fallback"}'::jsonb,
  'a migrated database is ready');

SELECT skeldir.set_tenant_context('f0e1d2c3-b4a5-4697-8899-aabbccddeeff', true);
SELECT api.readiness();
SELECT is(current_setting('app.current_tenant_id'), 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
  'the check restores the caller''s tenant setting');

-- The change feed is reported but never makes the database unready.
UPDATE skeldir.change_feed SET mode = 'feed', heartbeat_at = now(), lag_seconds = 0.2;
SELECT is(api.readiness() ->> 'change_feed', 'ok', 'a feed that beats and keeps up is ok');
UPDATE skeldir.change_feed SET lag_seconds = 30;
SELECT is(api.readiness() - 'tenant_guc' - 'rls' - 'database', '{"status": "ok", "change_feed": "behind"}'::jsonb,
  'a feed 30 s behind is behind, and the database stays ready');
UPDATE skeldir.change_feed SET heartbeat_at = now() - interval '10 minutes';
SELECT is(api.readiness() - 'tenant_guc' - 'rls' - 'database', '{"status": "ok", "change_feed": "stalled"}'::jsonb,
  'a feed without a consumer is stalled, and the database stays ready');
UPDATE skeldir.change_feed SET mode = 'fallback';
SELECT is(api.readiness() ->> 'change_feed', 'fallback', 'fallback mode says so');

ALTER TABLE skeldir.tenant_webhook_secrets NO FORCE ROW LEVEL SECURITY;
SELECT is(api.readiness() ->> 'rls', 'error', 'a tenant table without FORCE makes the database unready');
SELECT is(api.readiness() ->> 'status', 'unhealthy', 'and the status says so');

SELECT * FROM finish();
ROLLBACK;
