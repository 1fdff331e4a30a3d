-- The change feed's SQL (SPEC §7): which mode runs, the ingest path that
-- leaves the work to the feed, the coalesced work a batch of decoded inserts
-- asks for, exactly once across a resend, and the switch back to fallback.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(25);

-- Shopify order deliveries of a tenant, signed.
CREATE FUNCTION pg_temp.deliver(api_key text, secret text, body text) RETURNS text
LANGUAGE sql AS $$
  SELECT outcome FROM api.ingest_webhook('shopify', 'order_create',
    jsonb_build_object('x-skeldir-tenant-key', api_key,
                       'x-shopify-hmac-sha256', encode(extensions.hmac(convert_to(body, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'), 'base64')),
    convert_to(body, 'UTF8'), gen_random_uuid())
$$;
CREATE FUNCTION pg_temp.recompute_jobs() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM skeldir.jobs WHERE kind = 'attribution.recompute' AND state = 'available' $$;
DELETE FROM skeldir.jobs;

-- Which mode: the superuser may replicate, and the test cluster decodes logically.
SELECT is(worker.change_feed_mode() - 'mode' - 'slot',
  '{"feed": true, "reason": "wal_level is logical and the role may replicate", "wal_level": "logical", "publication": "skeldir_ingest"}'::jsonb,
  'with wal_level logical and a role that may replicate, the feed may run');
SELECT matches(worker.change_feed_mode() ->> 'slot', '^skeldir_feed_[0-9a-f]{16}$', 'the slot is named after the database');
SET ROLE skeldird_worker;
SELECT is(worker.change_feed_mode() ->> 'feed', 'true', 'the mode is read for the login role (the superuser here), not the definer');
RESET ROLE;
SELECT is(worker.change_feed_mode() ->> 'mode', 'fallback', 'a new database starts in fallback');

-- Fallback: the ingest transaction asks for its recompute itself.
SELECT is(pg_temp.deliver(:'key_a', :'shopify_secret_a', '{"id": 5001, "total_price": "10.00", "currency": "USD", "created_at": "2026-05-01T10:00:00Z"}'),
          'accepted', 'a purchase is accepted in fallback');
SELECT is(pg_temp.recompute_jobs(), 1::bigint, 'in fallback the ingest path enqueues its recompute');

-- Feed: the ingest path asks for nothing.
DELETE FROM skeldir.jobs;
SELECT ok(worker.elect('change_feed', 'daemon-1', '1 minute'), 'the daemon that starts the feed is elected its leader first');
SELECT isnt(worker.change_feed_start('daemon-1'), NULL, 'starting the feed returns the processed LSN');
SELECT is(pg_temp.deliver(:'key_a', :'shopify_secret_a', '{"id": 5002, "total_price": "12.00", "currency": "USD", "created_at": "2026-05-02T10:00:00Z"}'),
          'accepted', 'a purchase is accepted while the feed runs');
SELECT is(pg_temp.recompute_jobs(), 0::bigint, 'while the feed runs the ingest path enqueues no recompute');

-- A batch: two purchases of tenant A on one day, one of tenant B whose
-- order also has an earlier purchase (order 1001 of the fixture, 2026-01-01),
-- and a ledger row: three recomputes and one realtime refresh.
SELECT worker.change_feed_apply('daemon-1', jsonb_build_array(
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_a', 'event_type', 'purchase', 'order_id', '5002',
                     'revenue_cents', '1200', 'occurred_at', '2026-05-02 10:00:00+00', 'lsn', '0/1000', 'commit_at', now()),
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_a', 'event_type', 'purchase', 'order_id', '5003',
                     'revenue_cents', '1300', 'occurred_at', '2026-05-02 23:59:59+00', 'lsn', '0/1000', 'commit_at', now()),
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_a', 'event_type', 'checkout', 'order_id', '5004',
                     'revenue_cents', '0', 'occurred_at', '2026-05-07 10:00:00+00', 'lsn', '0/1000', 'commit_at', now()),
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_b', 'event_type', 'purchase', 'order_id', '1001',
                     'revenue_cents', '1999', 'occurred_at', '2026-05-03 10:00:00+00', 'lsn', '0/2000', 'commit_at', now()),
  jsonb_build_object('table', 'revenue_ledger', 'tenant_id', :'tenant_a', 'state', 'captured', 'amount_cents', '1200',
                     'occurred_at', '2026-05-02 10:00:00+00', 'lsn', '0/2000', 'commit_at', now()))) - 'processed_lsn' AS first \gset
SELECT is(:'first'::jsonb, '{"applied": 5, "skipped": 0, "recomputes": 3, "refreshes": 1}'::jsonb,
          'a batch asks for one recompute per tenant and day and one realtime refresh');
SELECT bag_eq($$SELECT tenant_scope::text, args ->> 'day' FROM skeldir.jobs WHERE kind = 'attribution.recompute'$$,
  format($$VALUES (%L, '2026-05-02'), (%L, '2026-05-03'), (%L, '2026-01-01')$$, :'tenant_a', :'tenant_b', :'tenant_b'),
  'the days are the purchases'' days and their orders'' other purchase days; a checkout asks for nothing');
SELECT results_eq($$SELECT tenant_scope::text, run_at - now() = interval '200 milliseconds'
                      FROM skeldir.jobs WHERE kind = 'revenue.realtime'$$,
  format($$VALUES (%L, true)$$, :'tenant_a'),
  'the realtime revenue of the tenant whose ledger grew is refreshed, due in 200 ms (the requests of that time join it)');
SELECT is_empty($$SELECT FROM skeldir.jobs WHERE kind = 'matview.refresh'$$,
                'no materialized view is refreshed for a ledger change');
SELECT is((SELECT processed_lsn::text || ' ' || changes || ' ' || transactions FROM skeldir.change_feed), '0/2000 5 2',
          'the processed LSN and counters move in the same transaction');

-- The slot sends the batch again after a crash: nothing is applied twice.
SELECT is(worker.change_feed_apply('daemon-1', jsonb_build_array(
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_a', 'event_type', 'purchase', 'order_id', '5002',
                     'revenue_cents', '1200', 'occurred_at', '2026-05-09 10:00:00+00', 'lsn', '0/2000', 'commit_at', now()),
  jsonb_build_object('table', 'attribution_events', 'tenant_id', :'tenant_a', 'event_type', 'purchase', 'order_id', '5009',
                     'revenue_cents', '1200', 'occurred_at', '2026-05-10 10:00:00+00', 'lsn', '0/3000', 'commit_at', now())))
          - 'processed_lsn',
          '{"applied": 1, "skipped": 1, "recomputes": 1, "refreshes": 0}'::jsonb,
          'changes at or below the processed LSN are skipped, later ones applied');
SELECT is((SELECT changes || ' ' || skipped_changes FROM skeldir.change_feed), '6 1', 'the counters tell applied from skipped');

SELECT throws_ok($$SELECT worker.change_feed_apply('daemon-2', '[]')$$, '55000', NULL,
                 'only the daemon that started the feed may apply');
SELECT throws_ok($$SELECT worker.change_feed_apply('daemon-1', '[{"table": "revenue_ledger"}]')$$, '22023', NULL,
                 'a change without its transaction''s LSN is refused');
SELECT throws_ok($$SELECT worker.change_feed_apply('daemon-1', '{}')$$, '22023', NULL, 'changes must be an array');

SELECT is(worker.change_feed_heartbeat('daemon-1', 1.5) - 'processed_lsn', '{"lag_bytes": 0, "batches": 2, "changes": 6}'::jsonb,
          'the leader''s heartbeat records its lag and reads the slot''s (none here: no slot)');
SELECT throws_ok($$SELECT worker.change_feed_heartbeat('daemon-2', 0)$$, '55000', NULL, 'only the leader beats');

-- A consumer that beats keeps the feed; one that stopped beating loses it,
-- and every purchase it may not have applied is asked for again.
SELECT is(worker.change_feed_fallback(), '{"mode": "feed", "switched": false}'::jsonb,
          'while the consumer beats, a daemon that cannot run the feed changes nothing');
DELETE FROM skeldir.jobs;
UPDATE skeldir.change_feed SET heartbeat_at = now() - interval '5 minutes';
SELECT is(worker.change_feed_fallback() ->> 'switched', 'true', 'a stale feed switches to fallback');
SELECT bag_eq($$SELECT tenant_scope::text, args ->> 'day' FROM skeldir.jobs WHERE kind = 'attribution.recompute'$$,
  format($$VALUES (%L, '2026-05-01'), (%L, '2026-05-02'), (%L, '2026-01-01'), (%L, '2026-01-01')$$,
         :'tenant_a', :'tenant_a', :'tenant_a', :'tenant_b'),
  'the switch asks again for the days of every purchase received since the feed''s last applied commit');

SELECT * FROM finish();
ROLLBACK;
