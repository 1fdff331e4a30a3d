-- A recompute's marks (skeldir.attribution_marks): with a mark of its
-- window, a recompute computes only the purchases that events arrived
-- since can change. These checks say when a mark must not be trusted (the
-- credits were written by someone else, or emptied) and that what arrives
-- after a mark is computed.
BEGIN;
SELECT plan(7);

SELECT created ->> 'tenant_id' AS tenant FROM admin.create_tenant('Attribution marks') AS created \gset
SELECT created ->> 'tenant_id' AS scratch FROM admin.create_tenant('Attribution marks data') AS created \gset
-- The data as if it had arrived long ago, before any mark: this test runs
-- in one transaction, whose id every event inserted here would carry. Events
-- are a book no one may update, so the data is made for a scratch tenant
-- and copied to this one with no arrival (arrived_xid NULL), as the owner
-- may insert it. (All as the owner in the tenant's context: on Citus one
-- transaction touches a tenant's shards as one user only.)
SET ROLE skeldir_owner;
\set marks_tenant :tenant
\set tenant :scratch
SELECT skeldir.set_tenant_context(:'tenant', true);
\set purchases 60
\ir ../../scripts/sql/attribution_data.sql
CREATE TEMP TABLE made AS SELECT * FROM skeldir.attribution_events WHERE tenant_id = :'tenant';
\set tenant :marks_tenant
SELECT skeldir.set_tenant_context(:'tenant', true);
-- (The rows are returned: Citus writes an INSERT ... SELECT from a local
-- table by COPY, which the shards' forced row-level security refuses.)
WITH written AS (
  INSERT INTO skeldir.attribution_events
    (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id, session_id,
     revenue_cents, currency, channel, utm_source, utm_medium, referrer, occurred_at, payload, pii_paths, arrived_xid)
  SELECT :'tenant', m.idempotency_key, m.correlation_id, m.vendor, m.topic, m.event_type, m.external_id, m.order_id,
         m.session_id, m.revenue_cents, m.currency, m.channel, m.utm_source, m.utm_medium, m.referrer, m.occurred_at,
         m.payload, m.pii_paths, NULL
    FROM made AS m
  RETURNING 1)
SELECT count(*) AS attribution_events FROM written;
-- 2026-10-16 holds purchases 15 and 45, each with three touches on three
-- channels.
SELECT cmp_ok(skeldir.recompute_attribution('2026-10-16', '2026-10-17'), '>', 0::bigint,
              'the first recompute of a day computes it whole and writes its credits');
CREATE TEMP VIEW day_credits AS
  SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s', c.event_id, c.channel, c.linear_cents, c.time_decay_cents,
                               c.first_touch_cents, c.position_based_cents), ',' ORDER BY c.event_id, c.channel)) AS h
    FROM skeldir.attribution_credits AS c
   WHERE c.occurred_at >= '2026-10-16' AND c.occurred_at < '2026-10-17';
SELECT h AS computed FROM day_credits \gset

SELECT is(skeldir.recompute_attribution('2026-10-16', '2026-10-17'), 0::bigint,
          'with its mark and nothing arrived since, a recompute writes nothing');

-- A hand write, keeping the sums: one purchase's linear cents moved
-- between two of its channels. The next recompute must not trust its mark.
-- (The two found first, then written by value: Citus updates a distributed
-- table only by its tenant and constants.)
SELECT two.event_id AS hand_event, min(two.channel) AS hand_up, max(two.channel) AS hand_down
  FROM (SELECT c.event_id, c.channel FROM skeldir.attribution_credits AS c
          JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id
         WHERE e.external_id = '15-0' ORDER BY c.channel LIMIT 2) AS two
 GROUP BY two.event_id \gset
UPDATE skeldir.attribution_credits AS c
   SET linear_cents = c.linear_cents + CASE WHEN c.channel = :'hand_up' THEN 1 ELSE -1 END
 WHERE c.tenant_id = :'tenant' AND c.event_id = :'hand_event' AND c.channel IN (:'hand_up', :'hand_down');
SELECT isnt((SELECT h FROM day_credits), :'computed', 'the hand write changed the day''s credits');
SELECT cmp_ok(skeldir.recompute_attribution('2026-10-16', '2026-10-17'), '>', 0::bigint,
              'after credits written by hand, the recompute computes the day again');
SELECT is((SELECT h FROM day_credits), :'computed', '... and puts back what the models give');

-- A TRUNCATE fires no row or statement trigger of the rows it removes.
TRUNCATE skeldir.attribution_credits;
SELECT skeldir.recompute_attribution('2026-10-16', '2026-10-17');
SELECT is((SELECT h FROM day_credits), :'computed', 'after a TRUNCATE, the recompute writes the day''s credits again');

-- An event after the mark: a new purchase of the day (arrived_xid, this
-- transaction's id, at or above the mark).
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant', 'late-arrival', gen_random_uuid(), 'shopify', 'orders/create', 'purchase', 'late-0', 'late',
        'sess-late', 2500, 'USD', 'email', '2026-10-16 12:00', '{}');
SELECT skeldir.recompute_attribution('2026-10-16', '2026-10-17');
SELECT is((SELECT sum(c.linear_cents) FROM skeldir.attribution_credits AS c
             JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id WHERE e.external_id = 'late-0'),
          2500::numeric, 'a purchase that arrived after the mark is credited by the next recompute');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
