-- api.ingest_webhooks decides each delivery of a batch on its own: its own
-- tenant, its own answer, in the order given.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(5);

CREATE TEMP TABLE batch AS
SELECT b.n, b.api_key, b.secret,
       convert_to(format('{"id": %s, "total_price": "5.00", "currency": "USD"}', 5000 + b.n), 'UTF8') AS body
  FROM (VALUES (1, :'key_a', :'shopify_secret_a'),
               (2, 'skd_not_a_key', :'shopify_secret_a'),   -- after A: must not inherit A's tenant
               (3, :'key_b', :'shopify_secret_b'),
               (4, :'key_b', :'shopify_secret_a')) AS b(n, api_key, secret);  -- B's key, A's secret

CREATE TEMP TABLE answers AS
SELECT row_number() OVER () AS n, r.*
  FROM api.ingest_webhooks(
         (SELECT array_agg('shopify'::text ORDER BY n) FROM batch),
         (SELECT array_agg('order_create'::text ORDER BY n) FROM batch),
         (SELECT array_agg(jsonb_build_object('x-skeldir-tenant-key', api_key, 'x-shopify-hmac-sha256',
                             encode(extensions.hmac(body, convert_to(secret, 'UTF8'), 'sha256'), 'base64')) ORDER BY n) FROM batch),
         (SELECT array_agg(body ORDER BY n) FROM batch),
         (SELECT array_agg(gen_random_uuid()) FROM batch)) AS r;

SELECT is((SELECT array_agg(http_status ORDER BY n) FROM answers), ARRAY[200, 401, 200, 401],
  'each delivery gets its own answer, in the order given');
SELECT is((SELECT outcome FROM answers WHERE n = 2), 'invalid_tenant_key',
  'an unknown key after a known one resolves to no tenant');
SELECT is((SELECT outcome FROM answers WHERE n = 4), 'invalid_signature',
  'a tenant''s delivery is checked against its own secrets only');
-- Where the deliveries were stored, read as skeldir_owner (who wrote them) in
-- each tenant's context: on Citus no other user may read those rows in this
-- transaction. Each context shows exactly its tenant's rows, so together they
-- show every row stored under A or B, with the tenant it is stored under.
CREATE TEMP TABLE stored (tenant_id uuid, external_id text);
GRANT ALL ON stored TO PUBLIC;
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS batch_context \gset
INSERT INTO stored SELECT tenant_id, external_id FROM skeldir.attribution_events WHERE external_id IN ('5001', '5003');
SELECT skeldir.set_tenant_context(:'tenant_b', true) AS batch_context \gset
INSERT INTO stored SELECT tenant_id, external_id FROM skeldir.attribution_events WHERE external_id IN ('5001', '5003');
SELECT skeldir.set_tenant_context('', true) AS batch_context \gset
RESET ROLE;

SELECT is((SELECT tenant_id FROM stored WHERE external_id = '5001'), :'tenant_a'::uuid,
  'the first delivery is stored under tenant A');
SELECT is((SELECT tenant_id FROM stored WHERE external_id = '5003'), :'tenant_b'::uuid,
  'the third delivery is stored under tenant B');

SELECT * FROM finish();
ROLLBACK;
