-- The building blocks of webhook ingestion, one behaviour each.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(22);

-- Keys are derived exactly as the system Skeldir replaces derived them.
SELECT is(skeldir.uuid_v5(skeldir.namespace_url(), 'shopify_order_create_123'),
          'd3cd43c3-8cbe-51bd-9458-63dcf189f01f'::uuid, 'UUIDv5 of Shopify order 123 matches the seed');
SELECT is(skeldir.uuid_v5(skeldir.namespace_url(), 'stripe_payment_intent_succeeded_pi_123'),
          'c9c2e61a-7281-5860-acac-18db80c6592e'::uuid, 'UUIDv5 of Stripe pi_123 matches the seed');

-- Money is exact, per ISO 4217 exponent.
SELECT is(skeldir.to_minor_units('"129.99"', 'USD'), 12999::bigint, '"129.99" USD is 12999 cents');
SELECT is(skeldir.to_minor_units('"1500"', 'JPY'), 1500::bigint, 'JPY 1500 is 1500 (no minor unit)');
SELECT is(skeldir.to_minor_units('"1.234"', 'KWD'), 1234::bigint, 'KWD has three decimals');
SELECT is(skeldir.to_minor_units('"5.10"', 'usd'), 510::bigint, 'currency codes are case-insensitive');
SELECT is(skeldir.to_minor_units('"5.100"', 'USD'), 510::bigint, 'trailing zeros past the exponent are exact');
SELECT throws_ok($$SELECT skeldir.to_minor_units('"1.999"', 'USD')$$, 'SK422', NULL, 'sub-cent precision is refused');
SELECT throws_ok($$SELECT skeldir.to_minor_units('"-5.00"', 'USD')$$, 'SK422', NULL, 'negative amounts are refused');
SELECT throws_ok($$SELECT skeldir.to_minor_units('"1.5"', 'JPY')$$, 'SK422', NULL, 'fractional yen are refused');
SELECT throws_ok($$SELECT skeldir.to_minor_units('"10.00"', 'XYZ')$$, 'SK422', NULL, 'unknown currencies are refused');
SELECT throws_ok($$SELECT skeldir.to_minor_units('"ten"', 'USD')$$, 'SK422', NULL, 'non-numbers are refused');

-- PII never reaches storage.
SELECT is((skeldir.project('{"id": true, "data": {"object": {"items": [{"sku": true}]}}}',
                           '{"id": 1, "Receipt_Email": "a@b.c", "data": {"object": {"billing_details": {"name": "N"}, "items": [{"sku": "S", "Phone": "1"}]}}}')).kept,
          '{"id": 1, "data": {"object": {"items": [{"sku": "S"}]}}}'::jsonb, 'only the fields a shape names are kept, at any depth');
SELECT is((skeldir.project('{"id": true, "data": {"object": {"items": [{"sku": true}]}}}',
                           '{"id": 1, "Receipt_Email": "a@b.c", "data": {"object": {"billing_details": {"name": "N"}, "items": [{"sku": "S", "Phone": "1"}]}}}')).dropped,
          ARRAY['$.Receipt_Email', '$.data.object.billing_details', '$.data.object.items[*].Phone'], 'the dropped paths are recorded');
-- (As the owner in tenant A's context, who writes the product's rows: on
-- Citus a transaction touches a tenant's shards as one user.)
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT throws_ok(format($$INSERT INTO skeldir.dead_events (tenant_id, vendor, error_type, error_message, payload,
                                 body_sha256, body_bytes, correlation_id)
                          VALUES (%L, 'stripe', 'x', 'x', '{"a": {"EMAIL": "p@q.r"}}', sha256(''), 0, gen_random_uuid())$$,
                        :'tenant_a'),
                 '23514', NULL, 'the trigger refuses a row that still holds PII');

-- Channels come from UTM parameters and referrers, by rule priority.
SELECT is(skeldir.classify_channel('facebook', 'cpc', NULL), 'facebook_paid', 'facebook cpc is facebook_paid');
SELECT is(skeldir.classify_channel('google', 'cpc', NULL), 'google_search_paid', 'google cpc is google_search_paid');
SELECT is(skeldir.classify_channel(NULL, 'email', NULL), 'email', 'medium email is email');
SELECT is(skeldir.classify_channel(NULL, NULL, 'https://www.google.com/'), 'organic', 'a search engine referrer is organic');
SELECT is(skeldir.classify_channel(NULL, NULL, NULL), 'direct', 'no UTM and no referrer is direct');
SELECT is(skeldir.classify_channel('partner-x', 'banner', NULL), 'unknown', 'unmatched UTM parameters are unknown');

-- Ledger-like tables are append-only, even for their owner.
SELECT throws_ok($$UPDATE skeldir.revenue_ledger SET amount_cents = 0$$, '42501', NULL,
                 'the revenue ledger cannot be updated, even by its owner');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
