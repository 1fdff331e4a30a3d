-- The materialized views (SPEC §6.1): a refresh keeps every tenant's rows,
-- the api reads return the caller's rows only, realtime revenue nets refunds
-- and chargebacks and says how fresh it is, and refresh requests coalesce.
BEGIN;
SELECT plan(18);

\ir fixtures/two_tenants.sql

-- Tenant A also took a Stripe payment, refunded part of it and lost a
-- chargeback on it, and took a payment in euros (written as the product
-- writes, as skeldir_owner in the tenant's context).
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
INSERT INTO skeldir.attribution_events (tenant_id, id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'aaaaaaaa-0000-0000-0000-000000000001', 'an-1', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_1', 'ord_1', 10000, 'USD', 'email', '2026-03-02 10:00Z', '{}'),
       (:'tenant_a', 'aaaaaaaa-0000-0000-0000-000000000002', 'an-2', gen_random_uuid(), 'stripe', 'charge.succeeded',
        'purchase', 'ch_2', 'ord_2', 500, 'EUR', 'organic', '2026-03-02 11:00Z', '{}');
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
  event_id, occurred_at)
VALUES (:'tenant_a', 'stripe', 'pi_1', 'captured',   'ord_1', 10000, 'USD', 'aaaaaaaa-0000-0000-0000-000000000001', '2026-03-02 10:00Z'),
       (:'tenant_a', 'stripe', 'pi_1', 'refunded',   'ord_1',  2500, 'USD', 'aaaaaaaa-0000-0000-0000-000000000001', '2026-03-03 10:00Z'),
       (:'tenant_a', 'stripe', 'pi_1', 'chargeback', 'ord_1',  3000, 'USD', 'aaaaaaaa-0000-0000-0000-000000000001', '2026-03-04 10:00Z'),
       (:'tenant_a', 'stripe', 'pi_2', 'captured',   'ord_2',   500, 'EUR', 'aaaaaaaa-0000-0000-0000-000000000002', '2026-03-02 11:00Z');
SELECT skeldir.recompute_attribution('2026-03-01', '2026-04-01') AS credits \gset
SELECT skeldir.set_tenant_context('', true) AS context \gset
RESET ROLE;

SELECT bag_eq($$ SELECT c.relname::text FROM pg_class AS c WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind = 'm' $$,
              $$ SELECT name FROM skeldir.matviews $$,
              'the registry lists exactly the materialized views there are');
-- What a refresh returns, or the error it raised (so that a refused refresh
-- fails its check, and the checks after it still run).
CREATE FUNCTION pg_temp.refresh_outcome(view_name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN skeldir.refresh_matview(view_name);
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT is_empty($$ WITH refreshed AS MATERIALIZED (SELECT name, pg_temp.refresh_outcome(name) AS outcome FROM skeldir.matviews)
                   SELECT name, outcome FROM refreshed WHERE outcome IS DISTINCT FROM 'refreshed' $$,
                'every view refreshes');
-- The realtime revenue is refreshed per tenant, as the owner in its context.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(t, true), skeldir.refresh_realtime_revenue()
  FROM unnest(ARRAY[:'tenant_a', :'tenant_b']) AS t;
SELECT skeldir.set_tenant_context('', true) AS context \gset
RESET ROLE;

CREATE FUNCTION pg_temp.tenants_in(view_name text, a uuid, b uuid) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(DISTINCT tenant_id) FROM analytics.%I WHERE tenant_id IN ($1, $2)', view_name)
    INTO n USING a, b;
  RETURN n;
END $$;
SELECT is_empty(format($$ SELECT name FROM skeldir.matviews WHERE pg_temp.tenants_in(name, %L, %L) <> 2 $$,
                       :'tenant_a', :'tenant_b'),
                'a refresh keeps both tenants'' rows in every view');

-- Reads of a tenant's revenue (the dashboard's calls reach them with the
-- tenant of a verified access token, as the owner).
SET ROLE skeldir_owner;
SELECT results_eq(format($$ SELECT currency, captured_cents, refunded_cents, chargeback_cents, net_cents FROM skeldir.realtime_revenue_for(%L) $$, :'tenant_a'),
                  $$ VALUES ('EUR', 500::bigint, 0::bigint, 0::bigint, 500::bigint),
                            ('USD', 11999::bigint, 2500::bigint, 3000::bigint, 6499::bigint) $$,
                  'realtime revenue is captured minus refunds and chargebacks, per currency');
SELECT ok((SELECT bool_and(refreshed_at >= now() AND freshness_seconds = 0) FROM skeldir.realtime_revenue_for(:'tenant_a')),
          'realtime revenue says when it was refreshed and how long ago');
SELECT results_eq(format($$ SELECT currency, captured_cents, net_cents FROM skeldir.realtime_revenue_for(%L) $$, :'tenant_b'),
                  $$ VALUES ('USD', 1999::bigint, 1999::bigint) $$,
                  'another tenant reads only its own revenue');

SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT is((SELECT max(last_booked_at) FROM skeldir.realtime_revenue_for(skeldir.current_tenant_id())),
          (SELECT max(recorded_at) FROM skeldir.revenue_ledger), 'its data is as fresh as the newest booking it saw');
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
  event_id, occurred_at)
VALUES (:'tenant_a', 'stripe', 'pi_2', 'refunded', 'ord_2', 500, 'EUR', 'aaaaaaaa-0000-0000-0000-000000000002', '2026-03-05 10:00Z');
SELECT is((SELECT net_cents FROM skeldir.realtime_revenue_for(skeldir.current_tenant_id()) WHERE currency = 'EUR'), 500::bigint,
          'a booking after the refresh is not counted until the next one');
SELECT skeldir.refresh_realtime_revenue(), pg_temp.refresh_outcome('mv_daily_revenue_summary');
SELECT is((SELECT net_cents FROM skeldir.realtime_revenue_for(skeldir.current_tenant_id()) WHERE currency = 'EUR'), 0::bigint,
          'the next refresh counts it');

-- Each read is the tenant's own data, nothing more: the same figures
-- computed from the tables under the tenant's row-level security.
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT bag_eq($$ SELECT model, channel, currency, allocated_cents, purchases FROM skeldir.allocation_summary_for(skeldir.current_tenant_id()) $$,
              $$ SELECT model::text, channel, currency, sum(allocated_cents)::bigint, count(*)
                   FROM skeldir.attribution_allocations GROUP BY 1, 2, 3 $$,
              'the allocation summary is the tenant''s allocations');
SELECT bag_eq($$ SELECT channel, currency, linear_cents FROM skeldir.channel_performance_for(skeldir.current_tenant_id(), '2026-01-01', '2026-12-31') $$,
              $$ SELECT channel, currency, sum(linear_cents)::bigint FROM skeldir.attribution_credits
                  WHERE occurred_at >= '2026-01-01' AND occurred_at < '2027-01-01' GROUP BY 1, 2 $$,
              'channel performance is the tenant''s credits');
SELECT bag_eq($$ SELECT day, currency, captured_cents FROM skeldir.daily_revenue_for(skeldir.current_tenant_id(), '2026-01-01', '2026-12-31') $$,
              $$ SELECT (occurred_at AT TIME ZONE 'UTC')::date, currency,
                        coalesce(sum(amount_cents) FILTER (WHERE state = 'captured'), 0)::bigint
                   FROM skeldir.revenue_ledger WHERE occurred_at >= '2026-01-01' AND occurred_at < '2027-01-01'
                  GROUP BY 1, 2 $$,
              'the daily summary is the tenant''s ledger');

-- Still in tenant A's context: a read for no tenant does not fall back to it.
SELECT is_empty($$ SELECT * FROM skeldir.realtime_revenue_for(NULL) $$, 'a read for no tenant returns nothing');
SELECT skeldir.set_tenant_context('', true) AS context \gset
RESET ROLE;
SELECT throws_ok(format($$ SELECT * FROM skeldir.daily_revenue_for(%L, '2026-02-01', '2026-01-01') $$, :'tenant_a'), '22023', NULL,
                 'a date range that ends before it starts is refused');
SET ROLE skeldir_readonly;
SELECT throws_ok($$ SELECT * FROM analytics.mv_daily_revenue_summary $$, '42501', NULL,
                 'analysts cannot read the views, which hold every tenant');
RESET ROLE;

-- A job that rewrote a table asks for the views that read it, found in the
-- catalog (mv_allocation_summary reads the credits through a view).
DELETE FROM skeldir.jobs WHERE kind = 'matview.refresh';
SELECT skeldir.request_matview_refreshes_reading('skeldir.attribution_credits');
SELECT results_eq($$ SELECT args ->> 'view' FROM skeldir.jobs WHERE kind = 'matview.refresh' ORDER BY 1 $$,
                  $$ VALUES ('mv_allocation_summary'), ('mv_channel_performance') $$,
                  'rewritten credits ask for a refresh of exactly the views that read them');

-- Requests coalesce: one pending refresh job per view.
SELECT skeldir.request_matview_refreshes();
SELECT skeldir.request_matview_refreshes();
SELECT results_eq($$ SELECT args ->> 'view', count(*) FROM skeldir.jobs WHERE kind = 'matview.refresh' GROUP BY 1 ORDER BY 1 $$,
                  $$ SELECT name, 1::bigint FROM skeldir.matviews ORDER BY 1 $$,
                  'refresh requests for a view coalesce into one pending job');
SELECT results_eq($$ SELECT m.cadence, s.every FROM skeldir.schedules AS s JOIN skeldir.matviews AS m ON true
                      WHERE s.kind = 'matview.pulse' AND s.args ->> 'cadence' = m.cadence GROUP BY 1, 2 ORDER BY 1 $$,
                  $$ VALUES ('daily', interval '1 hour'), ('realtime', interval '1 minute') $$,
                  'the pulse runs every minute for realtime views and hourly for daily ones');

SELECT * FROM finish();
ROLLBACK;
