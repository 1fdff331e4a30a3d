-- Operators' credential functions, and who may (not) reach credentials.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(9);

SELECT is((SELECT count(*) FROM skeldir.tenant_webhook_secrets
            WHERE tenant_id = :'tenant_a' AND revoked_at IS NULL),
          4::bigint, 'a new tenant has one active secret per vendor');

SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify', 'shpss_supplied_by_shopify_0001');
SELECT is((SELECT array_agg(secret ORDER BY created_at, slot) FILTER (WHERE revoked_at IS NULL)
             FROM skeldir.tenant_webhook_secrets WHERE tenant_id = :'tenant_a' AND vendor = 'shopify')
          @> ARRAY['shpss_supplied_by_shopify_0001'], true,
          'a rotated-in secret is active alongside the previous one');
SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify');
SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify');
SELECT is((SELECT count(*) FROM skeldir.tenant_webhook_secrets
            WHERE tenant_id = :'tenant_a' AND vendor = 'shopify' AND revoked_at IS NULL),
          2::bigint, 'never more than two secrets are active per vendor');

SELECT throws_ok($$SELECT admin.rotate_webhook_secret(gen_random_uuid(), 'stripe')$$,
  'P0002', NULL, 'rotating for a tenant that does not exist fails clearly');
SELECT throws_ok(format($$SELECT admin.rotate_webhook_secret(%L, 'stripe', 'short')$$, :'tenant_a'),
  '23514', NULL, 'a secret shorter than 16 characters is refused');

SELECT is((SELECT (admin.rotate_api_key(:'tenant_b') ->> 'revoked_keys')::int), 0,
  'rotating a key keeps the old one by default');

SET ROLE skeldir_api;
SELECT throws_ok($$SELECT admin.create_tenant('intruder')$$, '42501', NULL,
  'the API role cannot call admin functions');
RESET ROLE;

SET ROLE skeldir_readonly;
SELECT throws_ok($$SELECT secret FROM skeldir.tenant_webhook_secrets$$, '42501', NULL,
  'the read-only role cannot read webhook secrets');
SELECT throws_ok($$SELECT key_hash FROM skeldir.tenant_api_keys$$, '42501', NULL,
  'the read-only role cannot read API key digests');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
