-- Realtime revenue kept by order (20261204060000-060200): a refresh
-- recomputes only the orders booked since the last one, and the totals it
-- keeps are always those of the whole revenue of record, whatever order the
-- shop's and the processor's rows arrive in.
BEGIN;
SELECT plan(14);

SELECT created ->> 'tenant_id' AS tenant FROM admin.create_tenant('Realtime') AS created \gset
-- As the owner in the tenant's context, as the product writes (on Citus one
-- transaction touches a tenant's shards as one user only).
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant', true) AS context \gset
INSERT INTO skeldir.attribution_events (tenant_id, id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'bbbbbbbb-0000-0000-0000-000000000001', 'rt-1', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_rt', 0, 'USD', 'direct', '2026-03-02 10:00Z', '{}');

-- Books rows (vendor, transaction, state, order, cents, currency[, reversed])
-- under the one event, in one statement. (PL/pgSQL, and the rows returned:
-- Citus runs neither a SQL function's parameterized statements on
-- distributed tables nor, under forced row-level security, an INSERT ...
-- SELECT of rows from no tenant table unless they are returned.)
CREATE FUNCTION pg_temp.book(rows text[][]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  booked bigint;
BEGIN
  WITH written AS (
    INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
      event_id, occurred_at, reverses_transaction_id)
    SELECT skeldir.current_tenant_id(), r[1]::skeldir.vendor, r[2], r[3]::skeldir.ledger_state, r[4], r[5]::bigint, r[6],
           'bbbbbbbb-0000-0000-0000-000000000001', '2026-03-02 12:00Z', nullif(r[7], '')
      FROM (SELECT rows[i:i][1:7] AS m FROM generate_subscripts(rows, 1) AS i) AS x,
           LATERAL (SELECT ARRAY(SELECT unnest(x.m))) AS y(r)
    RETURNING 1
  )
  SELECT count(*) INTO booked FROM written;
END
$$;
-- The totals a full pass over the revenue of record gives, and those kept.
CREATE FUNCTION pg_temp.whole() RETURNS TABLE (currency text, captured bigint, refunded bigint, chargebacks bigint,
                                               net bigint, captures bigint)
LANGUAGE sql AS $$
  SELECT r.currency, coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'captured'), 0)::bigint,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'refunded'), 0)::bigint,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'chargeback'), 0)::bigint,
         sum(CASE r.state WHEN 'captured' THEN r.amount_cents ELSE -r.amount_cents END)::bigint,
         count(*) FILTER (WHERE r.state = 'captured')
    FROM skeldir.revenue_of_record AS r GROUP BY r.currency ORDER BY r.currency;
$$;
CREATE FUNCTION pg_temp.kept() RETURNS TABLE (currency text, captured bigint, refunded bigint, chargebacks bigint,
                                              net bigint, captures bigint)
LANGUAGE sql AS $$
  SELECT x.currency, x.captured_cents, x.refunded_cents, x.chargeback_cents, x.net_cents, x.captures
    FROM skeldir.realtime_revenue AS x WHERE x.tenant_id = skeldir.current_tenant_id() ORDER BY x.currency;
$$;

-- A processor's refund and chargeback arrive before the capture they
-- reverse (webhooks come in any order), with an order reference of their own.
SELECT pg_temp.book(ARRAY[['stripe', 're_1', 'refunded', 'ord_refund_ref', '300', 'USD', 'pi_1'],
                          ['stripe', 'dp_1', 'chargeback', 'ord_dispute_ref', '200', 'USD', 'pi_1']]);
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()',
                  'a refund and a chargeback before their capture count on their own');
SELECT pg_temp.book(ARRAY[['stripe', 'pi_1', 'captured', 'ord_1', '1000', 'USD', '']]);
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', $$ VALUES ('USD', 1000::bigint, 300::bigint, 200::bigint, 500::bigint, 1::bigint) $$,
                  'their capture arriving nets them against it, each counted once');
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()', '... as a full pass counts them');

-- The shop reports the same sale later: its order is the revenue of record,
-- the processor's capture and refund no longer count, the chargeback does.
SELECT pg_temp.book(ARRAY[['shopify', 'sh_1', 'captured', 'ord_1', '1000', 'USD', '']]);
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', $$ VALUES ('USD', 1000::bigint, 0::bigint, 200::bigint, 800::bigint, 1::bigint) $$,
                  'a shop''s order replaces the processor''s rows of the same sale');
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()', '... as a full pass counts it');

-- A processor-only sale in euros, then the shop reports that order in
-- dollars: the euros leave the totals, and so does their currency.
SELECT pg_temp.book(ARRAY[['paypal', 'cap_2', 'captured', 'ord_2', '700', 'EUR', '']]);
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT is((SELECT net FROM pg_temp.kept() WHERE currency = 'EUR'), 700::bigint, 'a processor-only sale counts');
SELECT pg_temp.book(ARRAY[['woocommerce', 'wc_2', 'captured', 'ord_2', '750', 'USD', '']]);
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()',
                  'a currency left with no rows of record leaves the totals');

-- Many bookings between two refreshes, some of one order.
SELECT pg_temp.book(ARRAY(SELECT ARRAY['shopify', 'sh_b' || i, 'captured', 'ord_b' || (i % 40), (100 + i)::text, 'USD', '']
                            FROM generate_series(1, 120) AS i));
SELECT pg_temp.book(ARRAY(SELECT ARRAY['shopify', 'sh_b' || i, 'refunded', 'ord_b' || (i % 40), '50', 'USD', 'sh_b' || i]
                            FROM generate_series(1, 120, 7) AS i));
SELECT is((SELECT count(*) FROM skeldir.realtime_revenue_marks), 40::bigint,
          'bookings mark their orders once each until a refresh takes them');
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()', 'a refresh after many bookings counts them all');
SELECT is_empty('SELECT * FROM skeldir.realtime_revenue_marks', 'a refresh takes the marks');
SELECT is((SELECT sum(records)::bigint FROM skeldir.realtime_revenue_orders), (SELECT count(*) FROM skeldir.revenue_of_record),
          'every row of record is counted with exactly one order');

-- Nothing booked: the totals stay, their time moves.
SELECT refreshed_at AS before FROM skeldir.realtime_revenue WHERE currency = 'USD' \gset
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT results_eq('SELECT * FROM pg_temp.kept()', 'SELECT * FROM pg_temp.whole()', 'a refresh with nothing booked changes nothing');
SELECT ok((SELECT refreshed_at > :'before' FROM skeldir.realtime_revenue WHERE currency = 'USD'),
          '... but says the numbers are as of now');

-- A refresh reads the marked orders only: a row booked around the marks
-- (as a writer without the trigger would) is not counted. The last refresh
-- took every mark: the row is booked, then the marks its trigger left are
-- removed (disabling the trigger takes an ALTER TABLE, which Citus refuses
-- in the middle of the owner's transaction).
SELECT pg_temp.book(ARRAY[['shopify', 'sh_hidden', 'captured', 'ord_hidden', '5', 'USD', '']]);
DELETE FROM skeldir.realtime_revenue_marks WHERE tenant_id = :'tenant';
SELECT skeldir.refresh_realtime_revenue() AS refreshed \gset
SELECT is((SELECT captured FROM pg_temp.kept()) + 5, (SELECT captured FROM pg_temp.whole()),
          'a refresh recomputes what the marks name and nothing else');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
