-- The revenue export's rows (SPEC §3, /api/export/*): the caller's tenant
-- only, whole UTC days at both ends, a stable order, amounts as decimal
-- strings at each currency's exponent with refunds and chargebacks negative
-- in net_amount, an optional channel filter, and bad input refused naming
-- the parameter at fault.
BEGIN;
SELECT plan(13);

\ir fixtures/two_tenants.sql

-- Tenant A: a dollar order refunded in part and charged back, a yen order,
-- a Bahraini dinar order (three decimals), each from another channel, and
-- bookings just outside the range on either side. Tenant B: a booking
-- inside the range. Written as the product writes: as skeldir_owner, in each
-- tenant's context.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
INSERT INTO skeldir.attribution_events (tenant_id, id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'eeeeeeee-0000-0000-0000-000000000001', 'ex-1', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_1', 'ord_1', 12999, 'USD', 'email', '2026-03-01 00:00Z', '{}'),
       (:'tenant_a', 'eeeeeeee-0000-0000-0000-000000000002', 'ex-2', gen_random_uuid(), 'shopify', 'orders/paid',
        'purchase', '2', 'ord_2', 1500, 'JPY', 'organic', '2026-03-02 12:00Z', '{}'),
       (:'tenant_a', 'eeeeeeee-0000-0000-0000-000000000003', 'ex-3', gen_random_uuid(), 'paypal', 'PAYMENT.CAPTURE.COMPLETED',
        'purchase', 'cap_3', 'ord_3', 1234, 'BHD', 'direct', '2026-03-03 23:59:59.999Z', '{}'),
       (:'tenant_a', 'eeeeeeee-0000-0000-0000-000000000004', 'ex-4', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_4', 'ord_4', 100, 'USD', 'email', '2026-02-28 23:59:59.999Z', '{}'),
       (:'tenant_a', 'eeeeeeee-0000-0000-0000-000000000005', 'ex-5', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_5', 'ord_5', 100, 'USD', 'email', '2026-03-04 00:00Z', '{}');
INSERT INTO skeldir.revenue_ledger (tenant_id, id, vendor, transaction_id, state, order_id, amount_cents, currency,
  event_id, occurred_at)
VALUES (:'tenant_a', '11111111-0000-0000-0000-000000000001', 'stripe', 'pi_1', 'captured', 'ord_1', 12999, 'USD',
        'eeeeeeee-0000-0000-0000-000000000001', '2026-03-01 00:00Z'),
       (:'tenant_a', '11111111-0000-0000-0000-000000000002', 'stripe', 'pi_1', 'refunded', 'ord_1', 2500, 'USD',
        'eeeeeeee-0000-0000-0000-000000000001', '2026-03-02 12:00Z'),
       -- Same instant as the refund: the ledger id breaks the tie.
       (:'tenant_a', '00000000-0000-0000-0000-000000000003', 'shopify', '2', 'captured', 'ord_2', 1500, 'JPY',
        'eeeeeeee-0000-0000-0000-000000000002', '2026-03-02 12:00Z'),
       (:'tenant_a', '11111111-0000-0000-0000-000000000004', 'stripe', 'pi_1', 'chargeback', 'ord_1', 5, 'USD',
        'eeeeeeee-0000-0000-0000-000000000001', '2026-03-03 08:00Z'),
       (:'tenant_a', '11111111-0000-0000-0000-000000000005', 'paypal', 'cap_3', 'captured', 'ord_3', 1234, 'BHD',
        'eeeeeeee-0000-0000-0000-000000000003', '2026-03-03 23:59:59.999Z'),
       (:'tenant_a', '11111111-0000-0000-0000-000000000006', 'stripe', 'pi_4', 'captured', 'ord_4', 100, 'USD',
        'eeeeeeee-0000-0000-0000-000000000004', '2026-02-28 23:59:59.999Z'),
       (:'tenant_a', '11111111-0000-0000-0000-000000000007', 'stripe', 'pi_5', 'captured', 'ord_5', 100, 'USD',
        'eeeeeeee-0000-0000-0000-000000000005', '2026-03-04 00:00Z');
SELECT skeldir.set_tenant_context(:'tenant_b', true) AS context \gset
INSERT INTO skeldir.attribution_events (tenant_id, id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_b', 'eeeeeeee-0000-0000-0000-0000000000b1', 'ex-b1', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_b1', 'ord_b1', 777, 'USD', 'email', '2026-03-02 09:00Z', '{}');
INSERT INTO skeldir.revenue_ledger (tenant_id, id, vendor, transaction_id, state, order_id, amount_cents, currency,
  event_id, occurred_at)
VALUES (:'tenant_b', '11111111-0000-0000-0000-0000000000b1', 'stripe', 'pi_b1', 'captured', 'ord_b1', 777, 'USD',
        'eeeeeeee-0000-0000-0000-0000000000b1', '2026-03-02 09:00Z');
SELECT skeldir.set_tenant_context('', true) AS context \gset
RESET ROLE;

-- The SQLSTATE and column of the error a statement raises, or 'no error'.
CREATE FUNCTION pg_temp.refusal(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; col text;
BEGIN
  EXECUTE statement;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, col = COLUMN_NAME;
  RETURN state || ' ' || col;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO skeldir_api;

-- Reads, as the API role makes them.
SET ROLE skeldir_api;

SELECT results_eq(
  format($$ SELECT ledger_id::text, day, order_id, vendor, transaction_id, state, currency, amount_minor, amount,
                   net_amount, channel
              FROM api.revenue_export(%L, '2026-03-01', '2026-03-03') $$, :'access_a'),
  $$ VALUES ('11111111-0000-0000-0000-000000000001', '2026-03-01'::date, 'ord_1', 'stripe', 'pi_1', 'captured', 'USD', 12999::bigint, '129.99', '129.99', 'email'),
            ('00000000-0000-0000-0000-000000000003', '2026-03-02'::date, 'ord_2', 'shopify', '2', 'captured', 'JPY', 1500::bigint, '1500', '1500', 'organic'),
            ('11111111-0000-0000-0000-000000000002', '2026-03-02'::date, 'ord_1', 'stripe', 'pi_1', 'refunded', 'USD', 2500::bigint, '25.00', '-25.00', 'email'),
            ('11111111-0000-0000-0000-000000000004', '2026-03-03'::date, 'ord_1', 'stripe', 'pi_1', 'chargeback', 'USD', 5::bigint, '0.05', '-0.05', 'email'),
            ('11111111-0000-0000-0000-000000000005', '2026-03-03'::date, 'ord_3', 'paypal', 'cap_3', 'captured', 'BHD', 1234::bigint, '1.234', '1.234', 'direct') $$,
  'an export lists the tenant''s bookings of whole UTC days in time order (ties by ledger id), amounts at each currency''s exponent, refunds and chargebacks negative in net_amount');

SELECT is((SELECT occurred_at FROM api.revenue_export(:'access_a', '2026-03-03', '2026-03-03') WHERE order_id = 'ord_3'),
          '2026-03-03 23:59:59.999Z'::timestamptz, 'a booking keeps its exact time, to the last millisecond of the day');

SELECT is((SELECT event_id FROM api.revenue_export(:'access_a', '2026-03-01', '2026-03-01')),
          'eeeeeeee-0000-0000-0000-000000000001'::uuid, 'a row names the event that booked it');

SELECT results_eq(
  format($$ SELECT order_id, amount_minor FROM api.revenue_export(%L, '2026-03-01', '2026-03-03') $$, :'access_b'),
  $$ VALUES ('ord_b1', 777::bigint) $$,
  'another tenant exports only its own bookings');

SELECT results_eq(
  format($$ SELECT count(*) FROM api.revenue_export(%L, '2026-03-01', '2026-03-03') $$, :'access_a'),
  format($$ SELECT count(*) FROM api.revenue_export(%L, '2026-03-01', '2026-03-03', ARRAY[]::text[]) $$, :'access_a'),
  'an empty channel list filters nothing');

SELECT results_eq(
  format($$ SELECT order_id, state FROM api.revenue_export(%L, '2026-02-01', '2026-03-31', ARRAY['organic', 'direct']) $$, :'access_a'),
  $$ VALUES ('ord_2', 'captured'), ('ord_3', 'captured') $$,
  'a channel filter keeps only the bookings of events from those channels');

SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, '2026-03-04', '2026-03-01') $$, :'access_a')),
          '22023 start_date', 'a range that starts after it ends is refused, naming start_date');
SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, '2025-01-01', '2026-03-01') $$, :'access_a')),
          '22023 end_date', 'a range longer than 366 days is refused, naming end_date');
SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, NULL, '2026-03-01') $$, :'access_a')),
          '22023 start_date', 'a range without a start is refused, naming start_date');
SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, '2026-03-01', NULL) $$, :'access_a')),
          '22023 end_date', 'a range without an end is refused, naming end_date');
SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, '2026-03-01', '2026-03-02', ARRAY['email', 'myspace']) $$, :'access_a')),
          '22023 channels', 'an unknown channel is refused, naming channels');

SELECT set_config('app.current_tenant_id', :'tenant_b', true) AS context \gset
SELECT is((SELECT count(*) FROM api.revenue_export(:'access_a', '2026-03-01', '2026-03-03'))::int, 5,
          'the token decides, whatever context the caller set');
SELECT is(current_setting('app.current_tenant_id'), :'tenant_a', 'the call enters the token''s tenant, not the one the caller set');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
