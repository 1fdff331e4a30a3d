-- Operators' credential functions, and who may (not) reach credentials.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(9);

-- The secrets are read as skeldir_owner (who writes them) in tenant A's
-- context: on Citus no other user may read them in this transaction. Each
-- read lands in a psql variable first (Citus would otherwise route the whole
-- statement, pgTAP call included, to the tenant's worker).
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS credentials_context \gset
SELECT count(*) AS active_secrets FROM skeldir.tenant_webhook_secrets
 WHERE tenant_id = :'tenant_a' AND revoked_at IS NULL \gset
RESET ROLE;
SELECT is(:active_secrets::bigint, 4::bigint, 'a new tenant has one active secret per vendor');

SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify', 'shpss_supplied_by_shopify_0001');
SET ROLE skeldir_owner;
SELECT coalesce(array_agg(secret ORDER BY created_at, slot) FILTER (WHERE revoked_at IS NULL)
                  @> ARRAY['shpss_supplied_by_shopify_0001'], false) AS rotated_in_active
  FROM skeldir.tenant_webhook_secrets WHERE tenant_id = :'tenant_a' AND vendor = 'shopify' \gset
RESET ROLE;
SELECT is(:'rotated_in_active'::boolean, true, 'a rotated-in secret is active alongside the previous one');
SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify');
SELECT admin.rotate_webhook_secret(:'tenant_a', 'shopify');
SET ROLE skeldir_owner;
SELECT count(*) AS active_shopify_secrets FROM skeldir.tenant_webhook_secrets
 WHERE tenant_id = :'tenant_a' AND vendor = 'shopify' AND revoked_at IS NULL \gset
RESET ROLE;
SELECT is(:active_shopify_secrets::bigint, 2::bigint, 'never more than two secrets are active per vendor');

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
