-- migrate:up
-- Daily revenue counts each sale once: the view is rebuilt over the revenue
-- of record (skeldir.revenue_of_record) instead of the whole ledger, where a
-- sale reported by its shop and by its processor was summed twice. Same
-- columns, same key; its reader, api.daily_revenue, is recreated with it
-- (a SQL-standard body depends on the view it reads).
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.daily_revenue(uuid, date, date);

SET LOCAL ROLE skeldir_analytics;
DROP MATERIALIZED VIEW analytics.mv_daily_revenue_summary;
CREATE MATERIALIZED VIEW analytics.mv_daily_revenue_summary AS
SELECT l.tenant_id, (l.occurred_at AT TIME ZONE 'UTC')::date AS day, l.currency,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0)::bigint AS captured_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'refunded'), 0)::bigint AS refunded_cents,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'chargeback'), 0)::bigint AS chargeback_cents,
       coalesce(sum(CASE l.state WHEN 'captured' THEN l.amount_cents ELSE -l.amount_cents END), 0)::bigint AS net_cents,
       count(*) FILTER (WHERE l.state = 'captured') AS captures,
       count(*) FILTER (WHERE l.state = 'refunded') AS refunds,
       count(*) FILTER (WHERE l.state = 'chargeback') AS chargebacks
  FROM skeldir.revenue_of_record AS l
 GROUP BY l.tenant_id, (l.occurred_at AT TIME ZONE 'UTC')::date, l.currency;
CREATE UNIQUE INDEX mv_daily_revenue_summary_key ON analytics.mv_daily_revenue_summary (tenant_id, day, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
-- Booked revenue per UTC day and currency over [from_day, to_day].
CREATE FUNCTION api.daily_revenue(tenant uuid, from_day date, to_day date)
RETURNS TABLE (day date, currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint,
               net_cents bigint, captures bigint, refunds bigint, chargebacks bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT d.day, d.currency, d.captured_cents, d.refunded_cents, d.chargeback_cents, d.net_cents, d.captures,
         d.refunds, d.chargebacks
    FROM analytics.mv_daily_revenue_summary AS d
   WHERE skeldir.valid_day_range(from_day, to_day)
     AND d.tenant_id = tenant AND d.day BETWEEN from_day AND to_day
   ORDER BY d.day, d.currency;
END;

-- migrate:down
-- (20261126006540 and 20261126006700 define the view and its reader before.)
SELECT 1;
