-- Signed Shopify orders/create deliveries for the ingest benchmark: :count
-- deliveries per round for rounds 0 to :rounds into bench.deliveries, each
-- a variation of the real-shaped order in :'template' (customer, addresses,
-- browser IP, a note with a phone and an email, line items, discount codes,
-- a landing site with UTM parameters and an email) with its own order id,
-- buyer, IP, total, day, channel (note_attributes utm_source / utm_medium)
-- and session, signed with the tenant's Shopify secret :'secret' and sent
-- with its API key :'key' and a delivery id, as Shopify delivers them.
-- Run as a superuser.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.deliveries (
  round integer NOT NULL, n integer NOT NULL, headers jsonb NOT NULL, body bytea NOT NULL, request_id uuid NOT NULL,
  PRIMARY KEY (round, n));
WITH t AS (SELECT :'template'::jsonb AS doc),
v AS (
  SELECT r AS round, n, 5500000000000 + r * 1000000 + n AS id,
         (ARRAY['google', 'facebook', 'newsletter', 'tiktok', 'bing', 'instagram'])[1 + n % 6] AS source,
         (ARRAY['cpc', 'paid_social', 'email', 'paid_social', 'cpc', 'social'])[1 + n % 6] AS medium,
         format('%s.%s', 20 + n % 9980, lpad((n * 37 % 100)::text, 2, '0')) AS total,
         format('buyer.%s.%s@example.com', r, n) AS email,
         format('198.51.100.%s', n % 250 + 1) AS ip,
         format('2026-11-%sT%s:%s:30-05:00', lpad((1 + n % 28)::text, 2, '0'), lpad((n % 24)::text, 2, '0'),
                lpad((n % 60)::text, 2, '0')) AS created_at,
         1 + n % 3 AS items
    FROM generate_series(0, :rounds) AS r, generate_series(1, :count) AS n),
b AS (
  SELECT v.round, v.n, v.id, convert_to((t.doc
      || jsonb_build_object(
           'id', v.id, 'admin_graphql_api_id', 'gid://shopify/Order/' || v.id, 'order_number', 1000 + v.n,
           'name', '#' || (1000 + v.n), 'browser_ip', v.ip, 'email', v.email, 'contact_email', v.email,
           'created_at', v.created_at, 'processed_at', v.created_at, 'updated_at', v.created_at,
           'total_price', v.total, 'current_total_price', v.total,
           'note', format('Call me at +1 415-555-%s or mail %s if the courier cannot get in', lpad((v.n % 10000)::text, 4, '0'), v.email),
           'landing_site', format('/products/x?utm_source=%s&utm_medium=%s&utm_campaign=bf_%s&email=%s', v.source, v.medium, v.n % 7, v.email),
           'note_attributes', jsonb_build_array(
             jsonb_build_object('name', 'skeldir_session_id', 'value', format('sess-%s-%s', v.round, v.n)),
             jsonb_build_object('name', 'utm_source', 'value', v.source),
             jsonb_build_object('name', 'utm_medium', 'value', v.medium),
             jsonb_build_object('name', 'gift_message', 'value', 'Happy housewarming!')),
           'line_items', (SELECT jsonb_agg(t.doc -> 'line_items' -> (i % 2)) FROM generate_series(1, v.items) AS i),
           'client_details', t.doc -> 'client_details' || jsonb_build_object('browser_ip', v.ip),
           'customer', t.doc -> 'customer' || jsonb_build_object('id', 7300000000000 + v.n, 'email', v.email)))::text,
      'UTF8') AS body
    FROM v, t)
INSERT INTO bench.deliveries (round, n, headers, body, request_id)
SELECT b.round, b.n,
       jsonb_build_object('x-skeldir-tenant-key', :'key', 'x-shopify-topic', 'orders/create',
                          'x-shopify-webhook-id', format('bench-%s-%s', b.round, b.id),
                          'x-shopify-hmac-sha256', encode(extensions.hmac(b.body, convert_to(:'secret', 'UTF8'), 'sha256'), 'base64')),
       b.body, gen_random_uuid()
  FROM b
ON CONFLICT DO NOTHING;
ANALYZE bench.deliveries;
