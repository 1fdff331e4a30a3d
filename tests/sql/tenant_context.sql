-- The tenant-context helpers: reading the setting, and resolving a tenant
-- from an API key.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(12);

SELECT set_config('app.current_tenant_id', '', true);
SELECT is(skeldir.current_tenant_id(), NULL, 'an empty setting reads as no tenant');
SELECT set_config('app.current_tenant_id', 'tenant-a; DROP TABLE x', true);
SELECT is(skeldir.current_tenant_id(), NULL, 'a malformed setting reads as no tenant, without an error');
-- (36 characters are cast: the policies call the helper per row, and a
-- regular expression cost 3.8 µs a row. An error fails closed too.)
SELECT set_config('app.current_tenant_id', 'tenant-a; DROP TABLE x; ------------', true);
SELECT throws_ok('SELECT skeldir.current_tenant_id()', '22P02', NULL,
                 'a setting of 36 characters that is not a UUID is an error');
SELECT set_config('app.current_tenant_id', :'tenant_a', true);
SELECT is(skeldir.current_tenant_id(), :'tenant_a'::uuid, 'a UUID setting reads as that tenant');

-- Citus carries SET LOCAL to the workers, and set_config not
-- (20261204070900).
SELECT is_empty($$
  SELECT p.oid::regprocedure FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
   WHERE CASE WHEN n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.prokind IN ('f', 'p')
              THEN pg_get_functiondef(p.oid) ~ 'set_config\(''app\.current_tenant_id''' END
$$, 'no function sets the tenant context but through skeldir.set_tenant_context (SET LOCAL)');

SELECT set_config('app.current_tenant_id', '', true);
SELECT is(skeldir.resolve_tenant(:'key_b'), :'tenant_b'::uuid, 'an active key resolves to its tenant');
SELECT is(skeldir.current_tenant_id(), :'tenant_b'::uuid, 'resolving a key sets the tenant context');
SELECT is(current_setting('app.presented_key_hash'), '', 'resolution clears the presented key afterwards');

SELECT is(skeldir.resolve_tenant('skd_' || repeat('0', 48)), NULL, 'an unknown key resolves to nothing');
SELECT is(skeldir.resolve_tenant(''), NULL, 'an empty key resolves to nothing');
SELECT is(skeldir.resolve_tenant(NULL), NULL, 'a missing key resolves to nothing');

SELECT admin.rotate_api_key(:'tenant_a', revoke_existing => true);
SELECT is(skeldir.resolve_tenant(:'key_a'), NULL, 'a revoked key resolves to nothing');

SELECT * FROM finish();
ROLLBACK;
