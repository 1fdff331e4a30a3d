-- migrate:up
-- Revenue so far per tenant and currency, as the processors and shops
-- booked it: captured minus refunded minus charged back (SPEC §6.1). Its
-- freshness is real: refreshed_at is when the refresh ran, last_booked_at
-- the newest ledger row it saw.
SET LOCAL ROLE skeldir_owner;
SET LOCAL ROLE skeldir_analytics;

CREATE MATERIALIZED VIEW analytics.mv_realtime_revenue AS
SELECT l.tenant_id, l.currency,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0)::bigint AS captured_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'refunded'), 0)::bigint AS refunded_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'chargeback'), 0)::bigint AS chargeback_cents,
       (coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0)
        - coalesce(sum(l.amount_cents) FILTER (WHERE l.state IN ('refunded', 'chargeback')), 0))::bigint AS net_cents,
       count(*) FILTER (WHERE l.state = 'captured') AS captures,
       count(*) AS ledger_rows,
       max(l.recorded_at) AS last_booked_at,
       now() AS refreshed_at
  FROM skeldir.revenue_ledger AS l
 GROUP BY l.tenant_id, l.currency;

CREATE UNIQUE INDEX mv_realtime_revenue_key ON analytics.mv_realtime_revenue (tenant_id, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
INSERT INTO skeldir.matviews (name, cadence, description)
VALUES ('mv_realtime_revenue', 'realtime', 'Captured, refunded, charged back and net revenue per tenant and currency.');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.matviews WHERE name = 'mv_realtime_revenue';
DROP MATERIALIZED VIEW analytics.mv_realtime_revenue;
