-- The attribution models (SPEC §6.2): exact sums, the rules of each model,
-- determinism, and the trigger that refuses drift.
BEGIN;
SELECT plan(21);

SELECT created ->> 'tenant_id' AS tenant FROM admin.create_tenant('Attribution') AS created \gset
\set purchases 60
-- (Written as the owner in the tenant's context, as the product writes: on
-- Citus a transaction touches a tenant's shards as one user.)
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant', true);
\ir ../../scripts/sql/attribution_data.sql
-- One purchase without a session: its own single touch.
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'lonely', gen_random_uuid(), 'stripe', 'charge.succeeded', 'purchase', 'ch_lonely', 1001, 'USD',
        'email', '2026-10-15', '{}');

SELECT cmp_ok(skeldir.recompute_attribution('2026-09-01', '2026-12-01'), '>', 0::bigint, 'the first recompute writes rows');

CREATE TEMP VIEW fingerprint AS
  SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', event_id, model, channel, allocated_cents, ratio, currency,
                               occurred_at, model_version), ',' ORDER BY event_id, model, channel)) AS h
    FROM skeldir.attribution_allocations;
SELECT h AS first_hash FROM fingerprint \gset

SELECT is_empty($$
  SELECT e.id, m.model, e.revenue_cents, sum(a.allocated_cents)
    FROM skeldir.attribution_events AS e
   CROSS JOIN unnest(enum_range(NULL::skeldir.attribution_model)) AS m(model)
    LEFT JOIN skeldir.attribution_allocations AS a ON a.tenant_id = e.tenant_id AND a.event_id = e.id AND a.model = m.model
   WHERE e.event_type = 'purchase'
   GROUP BY e.id, m.model, e.revenue_cents
  HAVING coalesce(sum(a.allocated_cents), 0) <> e.revenue_cents
$$, 'every purchase''s allocations sum exactly to its revenue under every model');

SELECT is_empty($$
  SELECT event_id, model FROM skeldir.attribution_allocations WHERE model IN ('last_touch', 'first_touch')
   GROUP BY 1, 2 HAVING count(*) <> 1
$$, 'last and first touch give everything to one channel');

SELECT is((SELECT array_agg(DISTINCT a.channel) FROM skeldir.attribution_allocations AS a
             JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id WHERE e.external_id = 'ch_lonely'),
          ARRAY['email'], 'a purchase without a session is its own single touch');

SELECT ok((SELECT bool_and(ratio > 0.33 AND ratio < 0.34) FROM skeldir.attribution_allocations AS a
            JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
           WHERE a.model = 'linear' AND e.external_id = '1-0'),
          'linear splits three distinct-channel touches equally');

SELECT ok((SELECT count(*) = 3 AND max(a.ratio) FILTER (WHERE a.channel = e.channel) = max(a.ratio)
             FROM skeldir.attribution_allocations AS a
             JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
            WHERE a.model = 'time_decay' AND e.external_id = '1-0'),
          'time decay weighs the purchase''s own (latest) touch the most');

-- Position based on the generated paths (organic, then email, then the
-- Facebook purchase): weights 4, 2, 4 of 10 of 8919 cents are 3567.6, 1783.8
-- and 3567.6; the two leftover cents go to the largest remainder (email),
-- then, remainders tied, to the lower code (facebook_paid before organic).
SELECT is((SELECT array_agg(a.channel || ' ' || a.allocated_cents || ' ' || a.ratio ORDER BY a.channel)
             FROM skeldir.attribution_allocations AS a
             JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
            WHERE a.model = 'position_based' AND e.external_id = '1-0'),
          ARRAY['email 1784 0.2000000000', 'facebook_paid 3568 0.4000000000', 'organic 3567 0.4000000000'],
          'position based gives 40 % to the first touch, 20 % to the middle and 40 % to the last');
SELECT is((SELECT array_agg(a.channel || ' ' || a.allocated_cents || ' ' || a.ratio)
             FROM skeldir.attribution_allocations AS a
             JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
            WHERE a.model = 'position_based' AND e.external_id = 'ch_lonely'),
          ARRAY['email 1001 1.0000000000'], 'position based gives a single touch everything');

SELECT skeldir.recompute_attribution('2026-09-01', '2026-12-01');
SELECT skeldir.recompute_attribution('2026-09-01', '2026-12-01');
SELECT is((SELECT h FROM fingerprint), :'first_hash', 'recomputing the window twice more changes nothing');

SELECT throws_ok(format($$UPDATE skeldir.attribution_credits SET linear_cents = linear_cents + 1
                    WHERE tenant_id = %1$L AND (event_id, channel) =
                          (SELECT c.event_id, c.channel FROM skeldir.attribution_credits AS c
                            WHERE c.tenant_id = %1$L AND c.linear_cents > 0 ORDER BY c.event_id, c.channel LIMIT 1)$$,
                        :'tenant'),
                 '23514', NULL, 'a credit that breaks its purchase''s sum is refused');

-- A recompute of a long window whose inputs did not change returns without
-- computing (skeldir.attribution_recomputes); every change to what it reads
-- or left makes it compute again, including events dated outside the window.
SELECT is(skeldir.recompute_attribution('2026-09-01', '2026-12-01'), 0::bigint,
          'an unchanged window writes nothing');
DELETE FROM skeldir.attribution_credits
 WHERE event_id = (SELECT id FROM skeldir.attribution_events WHERE external_id = '1-0');
SELECT is(skeldir.recompute_attribution('2026-09-01', '2026-12-01'), 3::bigint,
          'credits deleted by hand are written again by the next recompute of their window');
SELECT is((SELECT h FROM fingerprint), :'first_hash', 'as they were');
TRUNCATE skeldir.attribution_credits;
SELECT cmp_ok(skeldir.recompute_attribution('2026-09-01', '2026-12-01'), '>', 0::bigint,
              'credits truncated (no row trigger fires) are written again too');
SELECT is((SELECT h FROM fingerprint), :'first_hash', 'as they were, again');
-- Purchase 1-0 (2026-10-02, session sess-1) and a touch 30 days before it,
-- dated before the window [2026-10-02, 2026-11-01).
SELECT skeldir.recompute_attribution('2026-10-02', '2026-11-01');
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'late-touch', gen_random_uuid(), 'shopify', 'checkouts/update', 'checkout', 'late-touch', 'sess-1',
        0, 'USD', 'tiktok_paid', '2026-09-03', '{}');
SELECT cmp_ok(skeldir.recompute_attribution('2026-10-02', '2026-11-01'), '>', 0::bigint,
              'a touch dated before the window, within 30 days of one of its purchases, makes it compute');
SELECT is((SELECT a.first_touch_cents > 0 FROM skeldir.attribution_credits AS a
             JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
            WHERE e.external_id = '1-0' AND a.channel = 'tiktok_paid'), true, 'and the touch is the first');
-- A processor's charge without a session in the window, then the shop's
-- order with a session months later: the order is the shop's now.
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'far-charge', gen_random_uuid(), 'stripe', 'charge.succeeded', 'purchase', 'far-charge', 'ord_far',
        2500, 'USD', 'email', '2026-10-10', '{}');
SELECT skeldir.recompute_attribution('2026-09-01', '2026-12-01');
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'far-order', gen_random_uuid(), 'shopify', 'orders/paid', 'purchase', 'far-order', 'ord_far',
        'sess-far', 2500, 'USD', 'facebook_paid', '2027-03-01', '{}');
SELECT is(skeldir.recompute_attribution('2026-09-01', '2026-12-01'), 1::bigint,
          'another event of one of its orders, dated months after the window, makes it compute');
SELECT is((SELECT array_agg(h.change) FROM skeldir.attribution_credit_history AS h
             JOIN skeldir.attribution_events AS e ON e.tenant_id = h.tenant_id AND e.id = h.event_id WHERE e.external_id = 'far-charge'),
          ARRAY['withdrawn'], 'and the charge''s credit is withdrawn: the order is credited through the shop''s event');

-- An order announced twice, the later-arriving event carrying the earlier
-- time on the previous day: both days are to be recomputed, and the order is
-- then credited once, under its earliest event.
CREATE TEMP VIEW stripe_charge AS SELECT t FROM skeldir.webhook_topics AS t WHERE t.vendor = 'stripe' AND t.topic = 'charge.succeeded';
CREATE TEMP VIEW stripe_intent AS SELECT t FROM skeldir.webhook_topics AS t WHERE t.vendor = 'stripe' AND t.topic = 'payment_intent.succeeded';
SELECT (skeldir.record_event(c.t, skeldir.read_stripe(c.t, doc), doc, '{}', NULL)).recompute_days AS first_days
  FROM stripe_charge AS c,
       jsonb_build_object('data', jsonb_build_object('object', jsonb_build_object(
         'id', 'ch_twice', 'object', 'charge', 'amount', 5000, 'currency', 'usd', 'payment_intent', 'pi_twice',
         'created', extract(epoch FROM timestamptz '2026-10-20 00:00:10Z')::bigint,
         'metadata', jsonb_build_object('order_id', 'ord_twice')))) AS doc \gset
SELECT skeldir.recompute_attribution('2026-10-20', '2026-10-21');
SELECT (skeldir.record_event(i.t, skeldir.read_stripe(i.t, doc), doc, '{}', NULL)).recompute_days AS second_days
  FROM stripe_intent AS i,
       jsonb_build_object('data', jsonb_build_object('object', jsonb_build_object(
         'id', 'pi_twice', 'object', 'payment_intent', 'amount', 5000, 'currency', 'usd',
         'created', extract(epoch FROM timestamptz '2026-10-19 23:59:50Z')::bigint,
         'metadata', jsonb_build_object('order_id', 'ord_twice')))) AS doc \gset
SELECT is(:'second_days'::date[], ARRAY['2026-10-19', '2026-10-20']::date[],
          'a second purchase event of an order asks for its own day and the days of the order''s other events');
SELECT skeldir.recompute_attribution('2026-10-20', '2026-10-21');
SELECT skeldir.recompute_attribution('2026-10-19', '2026-10-20');
SELECT results_eq($$ SELECT e.external_id, sum(c.last_touch_cents)::bigint FROM skeldir.attribution_credits AS c
                       JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id WHERE e.order_id = 'ord_twice'
                      GROUP BY 1 $$,
                  $$ VALUES ('pi_twice', 5000::bigint) $$,
                  'the order is then credited once, under its earliest event');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
