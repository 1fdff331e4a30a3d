-- Reconciliation (SPEC §6.4): shop orders against processor captures per
-- order id, the outcome of each order, the status of each platform, the run
-- that follows its job, coalesced requests, idempotent reruns and tenants
-- kept apart.
BEGIN;
SELECT plan(45);

-- As the owner that definer functions run as (admin.create_tenant writes
-- the tenants as it): on Citus one transaction may touch a tenant's rows as
-- one user only.
SET ROLE skeldir_owner;
SELECT created ->> 'tenant_id' AS tenant FROM admin.create_tenant('Reconciled') AS created \gset
SELECT created ->> 'tenant_id' AS other FROM admin.create_tenant('Other shop') AS created \gset

-- One ledger row (and the event it comes from), as ingestion books it, in
-- the tenant's context (PL/pgSQL: Citus plans no parameterized SQL function
-- over distributed tables).
CREATE FUNCTION pg_temp.book(tenant uuid, vendor skeldir.vendor, tx text, state skeldir.ledger_state,
                             order_id text, cents bigint, at timestamptz, currency text DEFAULT 'USD')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  event uuid;
BEGIN
  PERFORM skeldir.set_tenant_context(tenant::text, true);
  INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
                                          external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
  VALUES (tenant, vendor || ':' || tx || ':' || state, gen_random_uuid(), vendor, 'test',
          CASE WHEN state = 'captured' THEN 'purchase' ELSE 'refund' END::skeldir.event_type,
          tx, order_id, cents, currency, 'unknown', at, '{}')
  RETURNING id INTO event;
  INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
                                      event_id, occurred_at)
  VALUES (tenant, vendor, tx, state, order_id, cents, currency, event, at);
END
$$;

-- March 2026 of tenant "Reconciled":
SELECT pg_temp.book(:'tenant', v, tx, s, o, c, t::timestamptz) FROM (VALUES
  -- A1: paid through Stripe in full.
  ('shopify'::skeldir.vendor, 'A1', 'captured'::skeldir.ledger_state, 'A1', 10000, '2026-03-02'),
  ('stripe', 'pi_A1', 'captured', 'A1', 10000, '2026-03-02'),
  -- G1: no processor ever captured it.
  ('shopify', 'G1', 'captured', 'G1', 5000, '2026-03-03'),
  -- D1: PayPal captured 98.50 of 100.00.
  ('woocommerce', 'D1', 'captured', 'D1', 10000, '2026-03-04'),
  ('paypal', 'CAP-D1', 'captured', 'D1', 9850, '2026-03-04'),
  -- R1: refunded 30.00 on both sides; Stripe books its refund under the
  -- payment intent (the charge carried no order id).
  ('shopify', 'R1', 'captured', 'R1', 8000, '2026-03-05'),
  ('shopify', 'rf-R1', 'refunded', 'R1', 3000, '2026-03-20'),
  ('stripe', 'pi_R1', 'captured', 'R1', 8000, '2026-03-05'),
  ('stripe', 'pi_R1', 'refunded', 'pi_R1', 3000, '2026-03-20'),
  -- P1: PayPal refunded 5.00 the shop does not know of; the refund names the sale.
  ('woocommerce', 'P1', 'captured', 'P1', 2000, '2026-03-06'),
  ('paypal', 'SALE-P1', 'captured', 'P1', 2000, '2026-03-06'),
  ('paypal', 'REF-P1', 'refunded', 'SALE-P1', 500, '2026-03-21'),
  -- X1: PayPal captured 33.33 of 30.00.
  ('shopify', 'X1', 'captured', 'X1', 3000, '2026-03-07'),
  ('paypal', 'CAP-X1', 'captured', 'X1', 3333, '2026-03-07'),
  -- Outside the window.
  ('shopify', 'OUT', 'captured', 'OUT', 4000, '2026-05-01'),
  -- A Stripe payment no shop order claims.
  ('stripe', 'pi_lone', 'captured', 'pi_lone', 700, '2026-03-08')
) AS b(v, tx, s, o, c, t);
SELECT pg_temp.book(:'other', 'shopify', 'S1', 'captured', 'S1', 999, '2026-03-02');

-- How the processors' ledger rows name the shop's order.
SELECT is(ARRAY[(skeldir.read_stripe(t, '{"data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": "pi_9",
                   "amount": 100, "currency": "usd", "metadata": {"order_id": "1001"}}}}')).order_id,
                (skeldir.read_paypal(p, '{"resource": {"id": "CAP-9", "invoice_id": "1001",
                   "amount": {"value": "1.00", "currency_code": "USD"}}}')).order_id],
          ARRAY['1001', '1001'],
          'Stripe metadata.order_id and PayPal invoice_id are the order id that links a capture to a shop order')
  FROM skeldir.webhook_topics AS t, skeldir.webhook_topics AS p
 WHERE (t.vendor, t.topic) = ('stripe', 'charge.succeeded') AND (p.vendor, p.topic) = ('paypal', 'PAYMENT.CAPTURE.COMPLETED');

-- Bad requests.
SELECT skeldir.set_tenant_context('', true);
SELECT throws_ok($$SELECT skeldir.request_reconciliation('2026-03-01', '2026-04-01')$$, '22023', NULL,
                 'a request without a tenant in context is refused');
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT throws_ok($$SELECT skeldir.request_reconciliation('2026-04-01', '2026-03-01')$$, '22023', NULL,
                 'a window that ends before it starts is refused');

-- Before the first run: what the contract requires, all the same. Every
-- platform's last_sync is when the tenant was created (its numbers, all
-- zero, are those of that moment), and so is the last full sync.
SELECT created_at AS tenant_created FROM skeldir.tenants WHERE id = :'tenant' \gset
SELECT skeldir.reconciliation_overview_for(:'tenant') AS before_any \gset
SELECT is((SELECT jsonb_agg(DISTINCT jsonb_build_array(p ->> 'connection_status', (p ->> 'last_sync')::timestamptz))
             FROM jsonb_array_elements(:'before_any'::jsonb -> 'platforms') AS p)
          || jsonb_build_array((:'before_any'::jsonb ->> 'last_full_sync')::timestamptz),
          jsonb_build_array(jsonb_build_array('pending', :'tenant_created'::timestamptz), :'tenant_created'::timestamptz),
          'before any run every platform is pending, last synced when the tenant was created, and so is the last full sync');
SELECT is(skeldir.reconciliation_platform_for(:'tenant', 'Shopify') -> 'discrepancies', '[]'::jsonb,
          'and a platform lists no discrepancies');

-- Request, coalesce, claim.
SELECT skeldir.request_reconciliation('2026-03-01', '2026-03-20') AS run \gset
SELECT is((SELECT array_agg(status::text ORDER BY platform) FROM skeldir.reconciliation_platform_status),
          ARRAY['pending', 'pending', 'pending', 'pending'], 'a requested run makes every platform pending');
SELECT is(skeldir.request_reconciliation('2026-03-10', '2026-04-01'), :'run'::uuid,
          'a request while a run is queued gets the queued run');
SELECT is((SELECT count(*) FROM skeldir.jobs WHERE kind = 'reconciliation.run'), 1::bigint,
          'coalesced requests enqueue one job');
SELECT is((SELECT tstzrange(window_start, window_end) FROM skeldir.reconciliation_runs WHERE id = :'run'),
          tstzrange('2026-03-01', '2026-04-01'), 'the queued run is widened to cover both windows');

SELECT is((SELECT count(*) FROM worker.claim('attribution', 10, 'test')), 1::bigint, 'a dispatcher claims the run''s job');
SELECT is((SELECT j.state::text FROM skeldir.jobs AS j JOIN skeldir.reconciliation_runs AS r ON r.job_id = j.id
            WHERE r.id = :'run'), 'running', 'a claimed run''s job is running');
SELECT skeldir.request_reconciliation('2026-01-01', '2026-02-01') AS queued_again \gset
SELECT isnt(:'queued_again'::uuid, :'run'::uuid,
          'a request while a run is running queues a new run (the running one may have read the orders already)');
-- (Withdrawn again, so that what follows is about the running run alone.)
DELETE FROM skeldir.jobs WHERE args ->> 'run_id' = :'queued_again';
DELETE FROM skeldir.reconciliation_runs WHERE tenant_id = :'tenant' AND id = :'queued_again';
SELECT is((SELECT window_start FROM skeldir.reconciliation_runs WHERE id = :'run'), '2026-03-01'::timestamptz,
          'a running run keeps its window');

SELECT worker.execute(j.id, 'test') FROM skeldir.jobs AS j WHERE j.kind = 'reconciliation.run' AND j.state = 'running';

-- What the run found.
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT results_eq($$
  SELECT order_id, shop_platform::text, processor_platform::text, claimed_cents, captured_cents, outcome::text, discrepancy_bps
    FROM skeldir.reconciliation_results ORDER BY order_id
$$, $$ VALUES
  ('A1', 'shopify', 'stripe', 10000::bigint, 10000::bigint, 'verified', 0::bigint),
  ('D1', 'woocommerce', 'paypal', 10000, 9850, 'discrepancy', -150),
  ('G1', 'shopify', NULL, 5000, 0, 'ghost', -10000),
  ('P1', 'woocommerce', 'paypal', 2000, 1500, 'discrepancy', -2500),
  ('R1', 'shopify', 'stripe', 5000, 5000, 'verified', 0),
  ('X1', 'shopify', 'paypal', 3000, 3333, 'discrepancy', 1110)
$$, 'each order of the window is verified, ghost or discrepant, refunds subtracted on both sides, in basis points');

SELECT is((SELECT (status::text, orders_total, verified_count, ghost_count, discrepancy_count, unmatched_count, error)::text
             FROM skeldir.reconciliation_runs WHERE id = :'run'),
          ROW('completed'::text, 6, 2, 1, 3, 1, NULL::text)::text, 'the run is completed with its counts');

SELECT results_eq($$
  SELECT platform::text, status::text, orders_total, verified_count, ghost_count, discrepancy_count, unmatched_count,
         verified_revenue
    FROM skeldir.reconciliation_platform_status ORDER BY platform::text
$$, $$ VALUES
  ('paypal', 'partial', 3, 0, 0, 3, 0, '{}'::jsonb),
  ('shopify', 'partial', 4, 2, 1, 1, 0, '{"USD": 15000}'),
  ('stripe', 'verified', 2, 2, 0, 0, 1, '{"USD": 15000}'),
  ('woocommerce', 'partial', 2, 0, 0, 2, 0, '{}')
$$, 'a platform is verified when all its orders are, partial when some are ghost or discrepant');

SELECT ok((SELECT bool_and(last_run_id = :'run' AND synced_run_id = :'run' AND last_synced_at IS NOT NULL)
             FROM skeldir.reconciliation_platform_status),
          'every platform records the run and when it synced');

-- What the API answers once the view has refreshed. (A refresh that is
-- refused leaves the view as it was, so that the checks that read it fail
-- and the others still run: on Citus a refresh reads as the view's owner,
-- skeldir_analytics, what skeldir_owner wrote in this transaction.)
CREATE FUNCTION pg_temp.refresh_reconciliation_status() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  REFRESH MATERIALIZED VIEW analytics.mv_reconciliation_status;
  RETURN 'refreshed';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT pg_temp.refresh_reconciliation_status() AS refreshed \gset
SELECT diag('the view was not refreshed: ' || :'refreshed') WHERE :'refreshed' <> 'refreshed';
SELECT finished_at AS run_finished FROM skeldir.reconciliation_runs WHERE id = :'run' \gset
SELECT skeldir.reconciliation_overview_for(:'tenant') AS after_run \gset
SELECT is((SELECT jsonb_agg(DISTINCT (p ->> 'last_sync')::timestamptz) FROM jsonb_array_elements(:'after_run'::jsonb -> 'platforms') AS p)
          || jsonb_build_array((:'after_run'::jsonb ->> 'last_full_sync')::timestamptz),
          jsonb_build_array(:'run_finished'::timestamptz, :'run_finished'::timestamptz),
          'after the run, every platform''s last_sync and the last full sync are when the run finished');
SELECT results_eq(format($$
  SELECT p, d ->> 'order_id', d ->> 'outcome', (d ->> 'id')::uuid = skeldir.reconciliation_result_id(%1$L, %2$L, (d ->> 'shop_platform')::skeldir.vendor, d ->> 'order_id')
    FROM unnest(ARRAY['shopify', 'woocommerce', 'stripe', 'paypal']) AS p,
         jsonb_array_elements(skeldir.reconciliation_platform_for(%1$L, p) -> 'discrepancies') WITH ORDINALITY AS x(d, o)
   ORDER BY array_position(ARRAY['shopify', 'woocommerce', 'stripe', 'paypal'], p), o
$$, :'tenant', :'run'), $$ VALUES ('shopify', 'X1', 'discrepancy', true), ('shopify', 'G1', 'ghost', true),
              ('woocommerce', 'P1', 'discrepancy', true), ('woocommerce', 'D1', 'discrepancy', true),
              ('paypal', 'X1', 'discrepancy', true), ('paypal', 'P1', 'discrepancy', true), ('paypal', 'D1', 'discrepancy', true) $$,
  'a platform lists the ghost and discrepant orders of its numbers'' run, newest first, each with its result''s id');
SELECT is((SELECT d FROM jsonb_array_elements(skeldir.reconciliation_platform_for(:'tenant', 'paypal') -> 'discrepancies') AS d
            WHERE d ->> 'order_id' = 'D1'),
          jsonb_build_object('id', (SELECT id FROM skeldir.reconciliation_results WHERE order_id = 'D1'), 'order_id', 'D1',
                             'outcome', 'discrepancy', 'ordered_at', '2026-03-04T00:00:00+00:00'::timestamptz,
                             'shop_platform', 'woocommerce', 'processor_platform', 'paypal', 'currency', 'USD',
                             'claimed', 100.00, 'captured', 98.50, 'discrepancy_bps', -150),
          'each discrepancy says what was claimed and captured');

-- Explaining a discrepancy, by that id.
SELECT id AS d1 FROM skeldir.reconciliation_results WHERE order_id = 'D1' \gset
SELECT id AS g1 FROM skeldir.reconciliation_results WHERE order_id = 'G1' \gset
SELECT id AS x1 FROM skeldir.reconciliation_results WHERE order_id = 'X1' \gset
SELECT id AS a1 FROM skeldir.reconciliation_results WHERE order_id = 'A1' \gset
SELECT skeldir.explain('reconciliation_discrepancy', :'d1') AS d1_expl \gset
SELECT is(:'d1_expl'::jsonb ->> 'explanation',
          'WooCommerce order "D1" of 2026-03-04 claims 100.00 USD, but PayPal captured 98.50 USD for it: 1.50 USD less than '
          'claimed, a discrepancy of 1.50%, as the reconciliation run that finished on ' || (:'run_finished'::timestamptz AT TIME ZONE 'UTC')::date
          || ' found. A refund or chargeback only the processor knows of, a partial capture or one in another currency would explain the gap.',
          'a discrepancy is explained with the run''s amounts');
SELECT is(:'d1_expl'::jsonb -> 'citations',
          '[{"metric": "claimed_revenue", "value": 100.00, "unit": "USD", "source": "reconciliation_results.claimed_cents"},
            {"metric": "captured_revenue", "value": 98.50, "unit": "USD", "source": "reconciliation_results.captured_cents"},
            {"metric": "captured_short_of_claim", "value": 1.50, "unit": "USD", "source": "reconciliation_results.captured_cents"},
            {"metric": "discrepancy_pct", "value": 1.50, "unit": "%", "source": "reconciliation_results.discrepancy_bps"}]'::jsonb,
          'citing each amount it states');
SELECT is((SELECT jsonb_build_array(c.feature, c.decision) FROM skeldir.llm_api_calls AS c
            WHERE c.request_id = (:'d1_expl'::jsonb ->> 'request_id')::uuid),
          '["explanation", "allow"]'::jsonb, 'through the audited LLM call path');
-- (The findings are read first and explained from the copy: on Citus a
-- function called in a query of a distributed table runs on the shard.)
CREATE TEMP TABLE explained AS
SELECT r.order_id AS what, r.id, NULL::jsonb AS body FROM skeldir.reconciliation_results AS r WHERE r.outcome <> 'verified';
UPDATE explained SET body = skeldir.explain('reconciliation_discrepancy', id::text);
SELECT ok((SELECT body ->> 'explanation' LIKE 'Shopify order "G1" of 2026-03-03 claims 50.00 USD, and no payment processor captured it: a ghost order, 50.00 USD short%'
             FROM explained WHERE what = 'G1')
          AND (SELECT body ->> 'explanation' LIKE '%3.33 USD more than claimed, a discrepancy of 11.10%' FROM explained WHERE what = 'X1'),
          'a ghost order and one captured beyond its claim are explained as such');
SELECT is_empty($$ SELECT what FROM explained WHERE length(body ->> 'explanation') NOT BETWEEN 150 AND 500
                      OR EXISTS (SELECT FROM jsonb_array_elements(body -> 'citations') AS c WHERE jsonb_typeof(c -> 'value') <> 'number')
                      OR EXISTS (SELECT FROM regexp_matches(regexp_replace(regexp_replace(body ->> 'explanation', '"[^"]*"', '', 'g'),
                                                                           '\d{4}-\d{2}-\d{2}', '', 'g'), '(\d+(\.\d+)?)', 'g') AS n
                                  WHERE NOT EXISTS (SELECT FROM jsonb_array_elements(body -> 'citations') AS c
                                                     WHERE (c ->> 'value')::numeric = n[1]::numeric)) $$,
                'every discrepancy''s explanation is 150 to 500 characters and cites, as a number, every number it states');
SELECT throws_ok(format('SELECT skeldir.explain(%L, %L)', 'reconciliation_discrepancy', :'a1'), 'P0002',
                 format('reconciliation result %s is a verified order: there is no discrepancy to explain', :'a1'),
                 'a verified order has no discrepancy to explain');
SELECT throws_ok($$SELECT skeldir.explain('reconciliation_discrepancy', '00000000-0000-0000-0000-000000000000')$$, 'P0002', NULL,
                 'an id that names no finding is not found');
SELECT throws_ok($$SELECT skeldir.explain('reconciliation_discrepancy', 'D1')$$, '22023', NULL,
                 'and a discrepancy is named by its UUID, not its order id');
SELECT array_agg(id ORDER BY order_id)::text AS ids_before FROM skeldir.reconciliation_results \gset

-- A rerun of the same run (what a retry does) replaces its rows with the same rows.
CREATE TEMP VIEW fingerprint AS
  SELECT count(*) AS n,
         md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', run_id, shop_platform, order_id, processor_platform,
                               ordered_at, currency, claimed_cents, captured_cents, outcome, discrepancy_bps),
                        ',' ORDER BY order_id)) AS h
    FROM skeldir.reconciliation_results;
SELECT n AS first_n, h AS first_hash FROM fingerprint \gset
SELECT worker.reconciliation_run(jsonb_build_object('run_id', :'run'), -1);
SELECT worker.reconciliation_run(jsonb_build_object('run_id', :'run'), -1);
SELECT is((SELECT (n, h) FROM fingerprint), ROW(:first_n::bigint, :'first_hash'::text),
          'rerunning a run gives identical rows, never duplicates');
SELECT is((SELECT array_agg(id ORDER BY order_id)::text FROM skeldir.reconciliation_results), :'ids_before',
          'and the same ids');

-- A run whose job fails: retried, then dead-lettered.
SELECT skeldir.request_reconciliation('2026-03-01', '2026-04-01') AS failing \gset
SELECT isnt(:'failing'::uuid, :'run'::uuid, 'once the run''s job completed, a request starts a new run');
SELECT count(*) FROM worker.claim('attribution', 10, 'test');
SELECT is(worker.fail((SELECT id FROM skeldir.jobs WHERE args ->> 'run_id' = :'failing'), 'test', 'XX000', 'ledger unreadable'),
          'retried', 'the first failure retries the job');
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT is((SELECT (status::text, error)::text FROM skeldir.reconciliation_runs WHERE id = :'failing'),
          ROW('queued'::text, 'ledger unreadable'::text)::text, 'a run whose job will be retried is queued again, with the error');
UPDATE skeldir.jobs SET run_at = now() - interval '1 second', attempt = 3 WHERE args ->> 'run_id' = :'failing';
SELECT count(*) FROM worker.claim('attribution', 10, 'test');
SELECT is(worker.fail((SELECT id FROM skeldir.jobs WHERE args ->> 'run_id' = :'failing'), 'test', 'XX000', 'still unreadable'),
          'dead_lettered', 'the last failure dead-letters the job');
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT ok((SELECT status = 'failed' AND error = 'still unreadable' AND finished_at IS NOT NULL
             FROM skeldir.reconciliation_runs WHERE id = :'failing'),
          'a run whose job is dead-lettered is failed, with the job''s last error');
SELECT ok((SELECT bool_and(status = 'failed' AND error = 'still unreadable' AND last_run_id = :'failing'
                           AND synced_run_id = :'run') AND count(*) = 4
             FROM skeldir.reconciliation_platform_status),
          'every platform is failed, and keeps the counts and sync time of the last completed run');
SELECT is((SELECT count(*) FROM skeldir.reconciliation_results WHERE run_id = :'failing'), 0::bigint,
          'a failed run leaves no results');
SELECT pg_temp.refresh_reconciliation_status() AS refreshed \gset
SELECT diag('the view was not refreshed: ' || :'refreshed') WHERE :'refreshed' <> 'refreshed';
SELECT finished_at AS rerun_finished FROM skeldir.reconciliation_runs WHERE id = :'run' \gset
SELECT skeldir.reconciliation_overview_for(:'tenant') AS after_failure \gset
SELECT is((SELECT jsonb_agg(DISTINCT jsonb_build_array(p ->> 'connection_status', (p ->> 'last_sync')::timestamptz))
             FROM jsonb_array_elements(:'after_failure'::jsonb -> 'platforms') AS p)
          || jsonb_build_array((:'after_failure'::jsonb ->> 'last_full_sync')::timestamptz),
          jsonb_build_array(jsonb_build_array('failed', :'rerun_finished'::timestamptz), :'rerun_finished'::timestamptz),
          'after a failed run, every platform last synced, fully, when the completed run (rerun since) finished');
SELECT is((SELECT count(*) FROM jsonb_array_elements(skeldir.reconciliation_platform_for(:'tenant', 'paypal') -> 'discrepancies')),
          3::bigint, 'and still lists that run''s discrepancies');

-- Tenants apart, as the owner that definer functions run as.
SELECT skeldir.set_tenant_context(:'other', true);
SELECT skeldir.request_reconciliation('2026-03-01', '2026-04-01') AS other_run \gset
SELECT isnt(:'other_run'::uuid, :'failing'::uuid, 'requests of different tenants do not coalesce');
SELECT worker.reconciliation_run(jsonb_build_object('run_id', :'other_run'), -1);
SELECT results_eq($$ SELECT order_id, outcome::text FROM skeldir.reconciliation_results $$,
                  $$ VALUES ('S1', 'ghost') $$, 'a tenant sees only the results of its own orders');
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT is((SELECT count(*) FROM skeldir.reconciliation_results WHERE run_id = :'other_run'), 0::bigint,
          'another tenant''s results are invisible, even to the owner');
SELECT is((SELECT count(*) FROM skeldir.reconciliation_platform_status WHERE last_run_id = :'other_run'), 0::bigint,
          'another tenant''s platform status is invisible');
SELECT skeldir.set_tenant_context(:'other', true);
SELECT throws_ok(format('SELECT skeldir.explain(%L, %L)', 'reconciliation_discrepancy', :'d1'), 'P0002', NULL,
                 'another tenant''s discrepancy does not exist for a tenant');
SELECT skeldir.set_tenant_context(:'tenant', true);
SELECT throws_ok(format($$SELECT worker.reconciliation_run(%L, -1)$$, jsonb_build_object('run_id', :'other_run')),
                 '22023', NULL, 'a tenant cannot run another tenant''s run');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
