-- Synthetic attribution data for benchmarks and tests: :purchases purchases
-- for tenant :'tenant' across 30 days, each in its own session with two
-- earlier touches on other channels, so about 3 x :purchases touchpoints.
-- Run as a superuser, or as skeldir_owner in the tenant's context (it
-- writes the table directly).
SELECT set_config('app.current_tenant_id', :'tenant', false);
-- (The rows are returned: Citus writes the rows of an INSERT ... SELECT
-- that it cannot run on a shard by COPY into the shard, which the shards'
-- forced row-level security refuses, and returned rows by INSERT.)
WITH written AS (
INSERT INTO skeldir.attribution_events
  (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id, session_id,
   revenue_cents, currency, channel, occurred_at, payload)
SELECT :'tenant', 'bench-' || n || '-' || k, gen_random_uuid(), 'shopify',
       CASE k WHEN 0 THEN 'orders/create' ELSE 'checkouts/update' END,
       CASE k WHEN 0 THEN 'purchase' ELSE 'checkout' END::skeldir.event_type,
       n || '-' || k, n::text, 'sess-' || n,
       CASE k WHEN 0 THEN 1000 + (n * 7919) % 50000 ELSE 0 END, 'USD',
       (ARRAY['google_search_paid', 'facebook_paid', 'email', 'organic', 'direct', 'tiktok_paid'])[1 + (n + k) % 6],
       timestamptz '2026-10-01' + (n % 30) * interval '1 day' + (n % 86400) * interval '1 second' - k * interval '2 days',
       '{}'
  FROM generate_series(1, :purchases) AS n, generate_series(0, 2) AS k
RETURNING 1)
SELECT count(*) AS attribution_events FROM written;
ANALYZE skeldir.attribution_events;
