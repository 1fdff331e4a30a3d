-- Personal data is recognised by its value and never stored: what the
-- payload projection keeps, what the guard trigger refuses, what the scan
-- reports.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(16);

-- Values, not keys.
SELECT is(skeldir.pii_kinds('Call me at +1 (415) 555-0132 or mail jane.doe@example.com'), '{email,phone}',
          'emails and phone numbers are found in free text');
SELECT is(skeldir.pii_kinds('from 198.51.100.23 and 2001:db8:85a3::8a2e:370:7334'), '{ip}', 'IPv4 and IPv6 addresses are found');
SELECT is(skeldir.pii_kinds('/?email=jane%40example.com'), '{email}', 'a percent-encoded email is an email');
SELECT is(count(*), 0::bigint, 'no id, amount, version or timestamp is mistaken for personal data')
  FROM unnest(ARRAY['5500000000001', '118.35', '9.4.2', '2026-11-21T11:02:17-05:00', 'std::string', '1795439148',
                    'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'WH-4KE07423PR381352J-6MG41577WB0962019', '10:15:30',
                    'pi_3AbcQ9LkdIwHu7ix0Xf8Rt4N', 'Chrome/131.0.6778.81', 'INV-2001']) AS v
 WHERE skeldir.pii_value(v);
SELECT is(skeldir.redact_pii('Call +1 415-555-0132, jane@example.com, 10.0.0.1.'), 'Call [phone], [email], [ip].',
          'redaction replaces each value by its kind');
SELECT is(skeldir.clean_url('https://shop.example/p/x?email=jane%40example.com&utm_source=google&name=Jane&gclid=abc#top'),
          'https://shop.example/p/x?utm_source=google&gclid=abc', 'a URL keeps only its marketing parameters');

-- The projection: deny by default, per vendor, in one table.
SELECT is((SELECT count(*) FROM skeldir.payload_projections), 4::bigint, 'every vendor has a projection');
SELECT is((skeldir.project_payload('shopify', '{"id": 1, "contact_email": "a@example.com", "browser_ip": "203.0.113.9",
            "note": "mail me at a@example.com", "landing_site": "/?utm_source=fb&email=a%40example.com",
            "note_attributes": [{"name": "utm_medium", "value": "cpc"}, {"name": "gift_message", "value": "for Ann"}],
            "line_items": [{"product_id": 7, "sku": "S-1", "quantity": 2, "price": "9.50", "properties": [{"name": "engraving", "value": "Ann"}]}],
            "customer": {"id": 3, "email": "a@example.com", "default_address": {"address1": "1 Main St"}}}')).kept,
          '{"id": 1, "landing_site": "/?utm_source=fb", "note_attributes": [{"name": "utm_medium", "value": "cpc"}],
            "line_items": [{"product_id": 7, "sku": "S-1", "quantity": 2, "price": "9.50"}]}'::jsonb,
          'a Shopify order keeps ids, UTMs and line items, and nothing of its customer');
SELECT is((skeldir.project_payload('stripe', '{"id": "evt_1", "data": {"object": {"id": "ch_1", "metadata": {"utm_source": "x", "jane@example.com": "1"}}}}')).dropped,
          '{"$.data.object.metadata.[redacted]"}', 'a dropped key that is personal is not recorded as it is');
SELECT is((skeldir.project_payload('paypal', '{"id": "WH-1", "resource": {"id": "C1", "status": "COMPLETED", "custom_id": "call 415-555-0132"}}')).kept,
          '{"id": "WH-1", "resource": {"id": "C1", "status": "COMPLETED", "custom_id": "call [phone]"}}',
          'a kept free-form value is redacted');

-- The guard refuses values in any column. Written as the product writes, as
-- skeldir_owner in tenant A's context (on Citus one transaction touches a
-- tenant's shards as one user only; the fixture wrote them as the owner).
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS guard_context \gset
SELECT throws_ok(format($$INSERT INTO skeldir.dead_events (tenant_id, vendor, topic, error_type, error_message, payload,
                                 body_sha256, body_bytes, correlation_id)
                          VALUES (%L, 'stripe', 'jane@example.com', 'x', 'x', '{}', sha256(''), 0, gen_random_uuid())$$,
                        :'tenant_a'),
                 '23514', NULL, 'the trigger refuses an email in a text column');
SELECT throws_ok(format($$INSERT INTO skeldir.dead_events (tenant_id, vendor, error_type, error_message, payload,
                                 body_sha256, body_bytes, correlation_id)
                          VALUES (%L, 'stripe', 'x', 'x', '{"note": "from 203.0.113.9"}', sha256(''), 0, gen_random_uuid())$$,
                        :'tenant_a'),
                 '23514', NULL, 'the trigger refuses an IP address inside a JSON value');
-- (The event is read first: Citus runs an INSERT ... SELECT with a LIMIT as
-- a COPY, which forced row-level security refuses before any trigger.)
SELECT e.id AS guard_event FROM skeldir.attribution_events AS e WHERE e.tenant_id = :'tenant_a' LIMIT 1 \gset
SELECT throws_ok(format($$INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents,
                                 currency, event_id, occurred_at)
                          VALUES (%L, 'shopify', '+1 415 555 0132', 'captured', '1', 1, 'USD', %L, now())$$,
                        :'tenant_a', :'guard_event'),
                 '23514', NULL, 'the trigger guards the ledger too');

SELECT is_empty($$
  SELECT t.tgrelid::regclass, a.attname
    FROM pg_trigger AS t JOIN pg_attribute AS a ON a.attrelid = t.tgrelid
   WHERE t.tgname = 'reject_pii' AND a.attnum > 0 AND NOT a.attisdropped
     AND a.atttypid IN ('text'::regtype, 'text[]'::regtype, 'varchar'::regtype, 'json'::regtype, 'jsonb'::regtype)
     AND a.attname <> ALL (string_to_array(encode(t.tgargs, 'escape'), E'\\000')) $$,
  'the guard checks every text and JSON column of every table it guards');

-- The scan finds a value planted past the trigger, in a text column. The
-- table's owner disables the trigger and plants it in tenant A's context;
-- Citus refuses trigger DDL on a distributed table unless
-- citus.enable_unsafe_triggers is on (on plain PostgreSQL the setting is
-- an inert placeholder).
SET LOCAL citus.enable_unsafe_triggers = on;
ALTER TABLE skeldir.dead_events DISABLE TRIGGER reject_pii;
UPDATE skeldir.dead_events SET error_message = 'customer jane@example.com' WHERE tenant_id = :'tenant_a';
ALTER TABLE skeldir.dead_events ENABLE TRIGGER reject_pii;
RESET citus.enable_unsafe_triggers;
SELECT results_eq(format($$ SELECT table_name, column_name, rows_with_pii FROM admin.scan_pii(%L) WHERE rows_with_pii > 0 $$, :'tenant_a'),
                  $$ VALUES ('skeldir.dead_events', 'error_message', 1::bigint) $$,
                  'admin.scan_pii reports an email planted in a text column, and nothing else');
SELECT skeldir.set_tenant_context('', true);
SELECT is((SELECT sum(rows_with_pii) FROM admin.scan_pii(:'tenant_b')), 0::numeric,
          'the other tenant is clean, its users'' login emails included');

SELECT * FROM finish();
ROLLBACK;
