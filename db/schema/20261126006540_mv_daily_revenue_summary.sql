-- migrate:up
-- Booked revenue per tenant, UTC day and currency (SPEC §6.1); refunds and
-- chargebacks subtract on the day they happened.
SET LOCAL ROLE skeldir_owner;
SET LOCAL ROLE skeldir_analytics;

CREATE MATERIALIZED VIEW analytics.mv_daily_revenue_summary AS
SELECT l.tenant_id, (l.occurred_at AT TIME ZONE 'UTC')::date AS day, l.currency,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0)::bigint AS captured_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'refunded'), 0)::bigint AS refunded_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'chargeback'), 0)::bigint AS chargeback_cents,
       (coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0)
        - coalesce(sum(l.amount_cents) FILTER (WHERE l.state IN ('refunded', 'chargeback')), 0))::bigint AS net_cents,
       count(*) FILTER (WHERE l.state = 'captured') AS captures,
       count(*) FILTER (WHERE l.state = 'refunded') AS refunds,
       count(*) FILTER (WHERE l.state = 'chargeback') AS chargebacks
  FROM skeldir.revenue_ledger AS l
 GROUP BY l.tenant_id, (l.occurred_at AT TIME ZONE 'UTC')::date, l.currency;

CREATE UNIQUE INDEX mv_daily_revenue_summary_key ON analytics.mv_daily_revenue_summary (tenant_id, day, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
INSERT INTO skeldir.matviews (name, cadence, description)
VALUES ('mv_daily_revenue_summary', 'daily', 'Booked revenue per tenant, UTC day and currency.');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.matviews WHERE name = 'mv_daily_revenue_summary';
DROP MATERIALIZED VIEW analytics.mv_daily_revenue_summary;
