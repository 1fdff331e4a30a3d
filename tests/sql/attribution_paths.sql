-- Attribution follows the customer's path: which event of an order is
-- credited, what counts as a touch, direct traffic as GA4 treats it, and
-- position-based credit (40 % first, 40 % last, 20 % over the middle).
-- Each case is its own session; expectations are computed by hand.
BEGIN;
SELECT plan(13);

SELECT created ->> 'tenant_id' AS tenant FROM admin.create_tenant('Paths') AS created \gset
-- (As the owner in the tenant's context, as the product writes: on Citus a
-- transaction touches a tenant's shards as one user. The rows are
-- returned: Citus writes the rows of an INSERT ... SELECT it cannot run on
-- a shard by COPY, which the shards' forced row-level security refuses.)
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant', true);
WITH written AS (
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
SELECT :'tenant', key, gen_random_uuid(), vendor::skeldir.vendor, topic, kind::skeldir.event_type, key, order_id,
       session, cents, 'USD', channel, timestamptz '2026-10-20 12:00' + shift::interval, '{}'
  FROM (VALUES
    -- 1. The processor's charge 5 s before the shop's Facebook-sourced order.
    ('p1-charge', 'stripe',  'charge.succeeded', 'purchase', 'O1', 's1', 10000, 'direct',        '-5 seconds'),
    ('p1-order',  'shopify', 'orders/create',    'purchase', 'O1', 's1', 10000, 'facebook_paid', '0'),
    -- 2. Direct, email and Facebook touches before a direct purchase: direct is ignored.
    ('p2-visit1', 'shopify', 'checkouts/update', 'checkout', NULL, 's2', 0,     'direct',        '-3 days'),
    ('p2-visit2', 'shopify', 'checkouts/update', 'checkout', NULL, 's2', 0,     'email',         '-2 days'),
    ('p2-visit3', 'shopify', 'checkouts/update', 'checkout', NULL, 's2', 0,     'facebook_paid', '-1 day'),
    ('p2-order',  'shopify', 'orders/create',    'purchase', 'O2', 's2', 1001,  'direct',        '0'),
    -- 3. Only direct: direct takes it all.
    ('p3-visit',  'shopify', 'checkouts/update', 'checkout', NULL, 's3', 0,     'direct',        '-1 day'),
    ('p3-order',  'shopify', 'orders/create',    'purchase', 'O3', 's3', 700,   'direct',        '0'),
    -- 4. A refund in the session is no touch; an earlier order's create and
    --    paid events are one touch.
    ('p4-old-create', 'shopify', 'orders/create', 'purchase', 'O4a', 's4', 2000, 'google_search_paid', '-5 days'),
    ('p4-old-paid',   'shopify', 'orders/paid',   'purchase', 'O4a', 's4', 2000, 'google_search_paid', '-5 days 1 hour'),
    ('p4-refund',     'shopify', 'refunds/create', 'refund',  'O4a', 's4', 500,  'tiktok_paid',        '-4 days'),
    ('p4-order',      'shopify', 'orders/create', 'purchase', 'O4b', 's4', 3000, 'email',              '0'),
    -- 5. Three touches, 1001 cents: weights 4, 2, 4 of 10.
    ('p5-visit1', 'shopify', 'checkouts/update', 'checkout', NULL, 's5', 0,     'email',              '-3 days'),
    ('p5-visit2', 'shopify', 'checkouts/update', 'checkout', NULL, 's5', 0,     'google_search_paid', '-2 days'),
    ('p5-order',  'shopify', 'orders/create',    'purchase', 'O5', 's5', 1001,  'facebook_paid',      '0'),
    -- 6. Five touches, email first and again in the middle: 12, 2, 2, 2, 12 of 30.
    ('p6-visit1', 'shopify', 'checkouts/update', 'checkout', NULL, 's6', 0,     'email',              '-4 days'),
    ('p6-visit2', 'shopify', 'checkouts/update', 'checkout', NULL, 's6', 0,     'tiktok_paid',        '-3 days'),
    ('p6-visit3', 'shopify', 'checkouts/update', 'checkout', NULL, 's6', 0,     'email',              '-2 days'),
    ('p6-visit4', 'shopify', 'checkouts/update', 'checkout', NULL, 's6', 0,     'google_search_paid', '-1 day'),
    ('p6-order',  'shopify', 'orders/create',    'purchase', 'O6', 's6', 10000, 'facebook_paid',      '0')
  ) AS v(key, vendor, topic, kind, order_id, session, cents, channel, shift)
RETURNING 1)
SELECT count(*) AS path_events FROM written \gset

SELECT skeldir.recompute_attribution('2026-10-01', '2026-11-01');

CREATE TEMP VIEW credit AS
  SELECT e.external_id AS purchase, a.model::text, a.channel, a.allocated_cents
    FROM skeldir.attribution_allocations AS a JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
   WHERE a.allocated_cents > 0;

SELECT is((SELECT array_agg(DISTINCT purchase || ' ' || channel) FROM credit WHERE purchase LIKE 'p1-%'),
          ARRAY['p1-order facebook_paid'],
          'an order shop and processor both report is credited once, through the shop''s order, to its Facebook session');
SELECT is((SELECT array_agg(model || ' ' || channel || ' ' || allocated_cents ORDER BY model, channel) FROM credit
            WHERE purchase = 'p2-order' AND model IN ('last_touch', 'first_touch', 'linear')),
          ARRAY['first_touch email 1001', 'last_touch facebook_paid 1001', 'linear email 501', 'linear facebook_paid 500'],
          'direct touches are ignored on a path with other touches (1001 cents split 501/500, remainder to the lower code)');
SELECT is((SELECT array_agg(DISTINCT channel) FROM credit WHERE purchase = 'p2-order'), ARRAY['email', 'facebook_paid'],
          'no model credits direct on a mixed path');
SELECT is((SELECT array_agg(DISTINCT model || ' ' || channel || ' ' || allocated_cents) FROM credit WHERE purchase = 'p3-order'),
          ARRAY['first_touch direct 700', 'last_touch direct 700', 'linear direct 700', 'position_based direct 700',
                'time_decay direct 700'],
          'a path of direct touches only credits direct');
SELECT is((SELECT array_agg(channel || ' ' || allocated_cents ORDER BY channel) FROM credit
            WHERE purchase = 'p4-order' AND model = 'linear'),
          ARRAY['email 1500', 'google_search_paid 1500'],
          'an earlier order''s create and paid events are one touch, and a refund is none');
SELECT is((SELECT count(*) FROM credit WHERE channel = 'tiktok_paid' AND purchase LIKE 'p4-%'), 0::bigint,
          'refunds are never touchpoints');

-- Every model, by hand: time decay halves a touch's weight per 7 days before
-- the purchase (2^-2/7 : 2^-1/7 of 1001 is 475.74 : 525.26; 2^-5/7 : 1 of
-- 3000 is 1136.08 : 1863.92).
SELECT is((SELECT array_agg(channel || ' ' || allocated_cents ORDER BY channel) FROM credit
            WHERE purchase = 'p2-order' AND model = 'time_decay'),
          ARRAY['email 476', 'facebook_paid 525'],
          'time decay on a mixed path: direct ignored, the leftover cent to the larger remainder');
SELECT is((SELECT array_agg(model || ' ' || channel || ' ' || allocated_cents ORDER BY model, channel) FROM credit
            WHERE purchase = 'p4-order'),
          ARRAY['first_touch google_search_paid 3000', 'last_touch email 3000', 'linear email 1500',
                'linear google_search_paid 1500', 'position_based email 1500', 'position_based google_search_paid 1500',
                'time_decay email 1864', 'time_decay google_search_paid 1136'],
          'all five models over an earlier order (one touch, dated by its first event) and a refund (no touch)');

-- Position based, by hand.
SELECT is((SELECT array_agg(channel || ' ' || allocated_cents ORDER BY channel) FROM credit
            WHERE purchase = 'p2-order' AND model = 'position_based'),
          ARRAY['email 501', 'facebook_paid 500'],
          'position based: two touches (direct ignored) take half each, the odd cent to the lower code');
SELECT is((SELECT array_agg(channel || ' ' || allocated_cents ORDER BY channel) FROM credit
            WHERE purchase = 'p5-order' AND model = 'position_based'),
          ARRAY['email 401', 'facebook_paid 400', 'google_search_paid 200'],
          'position based: 40/20/40 of 1001 is 400.4/200.2/400.4; the leftover cent goes to the larger remainder, then the lower code');
SELECT is((SELECT array_agg(channel || ' ' || allocated_cents ORDER BY channel) FROM credit
            WHERE purchase = 'p6-order' AND model = 'position_based'),
          ARRAY['email 4667', 'facebook_paid 4000', 'google_search_paid 667', 'tiktok_paid 666'],
          'position based: a channel holding the first touch and a middle one gets 14/30; 10000 cents split exactly');
SELECT throws_ok(format($$
  UPDATE skeldir.attribution_credits SET position_based_cents = position_based_cents + 1
   WHERE tenant_id = %1$L AND channel = 'email'
     AND event_id = (SELECT id FROM skeldir.attribution_events WHERE tenant_id = %1$L AND external_id = 'p6-order')
$$, :'tenant'), '23514', NULL, 'a position-based credit that no longer sums to the purchase is refused');
SELECT is_empty($$
  SELECT e.id, m.model FROM skeldir.attribution_events AS e
   CROSS JOIN unnest(enum_range(NULL::skeldir.attribution_model)) AS m(model)
    LEFT JOIN skeldir.attribution_allocations AS a ON a.tenant_id = e.tenant_id AND a.event_id = e.id AND a.model = m.model
   WHERE e.event_type = 'purchase'
     AND e.external_id IN ('p1-order', 'p2-order', 'p3-order', 'p4-order', 'p5-order', 'p6-order')
   GROUP BY e.id, m.model, e.revenue_cents HAVING coalesce(sum(a.allocated_cents), 0) <> e.revenue_cents
$$, 'every credited purchase still sums exactly under every model');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
