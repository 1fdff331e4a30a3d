-- migrate:up
-- The three dashboard reads of materialized views that still had
-- SQL-standard bodies get string bodies, with the same attributes and
-- statements (issue 16; as 20261204070400 did for the readers of tenant
-- tables).
--
-- A materialized view reads tenant tables, so Citus walks it when it
-- distributes them, with what depends on it: reconciliation_status_for's
-- body recorded the columns of analytics.mv_reconciliation_status it reads
-- and the function it reads them from (reconciliation_rows, whose result is
-- the view's row type), so the view depended on itself, and skeldir.tenants
-- and every lookup with it ("materialized view
-- analytics.mv_reconciliation_status circularly depends itself", make
-- test-citus). The other two read their views the same way. The bodies are
-- the catalog's definitions (the functions were moved and renamed by
-- 20261203009600), written out again.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.reconciliation_status_for(tenant uuid)
RETURNS TABLE (platform text, side text, display_name text, status text, orders_total integer,
               verified_count integer, ghost_count integer, discrepancy_count integer, unmatched_count integer,
               verified_revenue jsonb, last_synced_at timestamptz, error text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.platform::text, r.side, r.display_name, r.status::text, r.orders_total, r.verified_count,
         r.ghost_count, r.discrepancy_count, r.unmatched_count, r.verified_revenue, r.last_synced_at, r.error
    FROM skeldir.reconciliation_rows(reconciliation_status_for.tenant) AS r
   ORDER BY r.side DESC, r.platform
$$;

CREATE OR REPLACE FUNCTION skeldir.daily_revenue_for(tenant uuid, from_day date, to_day date)
RETURNS TABLE (day date, currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint,
               net_cents bigint, captures bigint, refunds bigint, chargebacks bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT d.day, d.currency, d.captured_cents, d.refunded_cents, d.chargeback_cents, d.net_cents, d.captures,
         d.refunds, d.chargebacks
    FROM analytics.mv_daily_revenue_summary AS d
   WHERE skeldir.valid_day_range(daily_revenue_for.from_day, daily_revenue_for.to_day)
     AND d.tenant_id = daily_revenue_for.tenant
     AND d.day >= daily_revenue_for.from_day AND d.day <= daily_revenue_for.to_day
   ORDER BY d.day, d.currency
$$;

CREATE OR REPLACE FUNCTION skeldir.allocation_summary_for(tenant uuid)
RETURNS TABLE (model text, channel text, currency text, allocated_cents bigint, purchases bigint,
               average_ratio numeric, model_version text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT a.model::text, a.channel, a.currency, a.allocated_cents, a.purchases, a.average_ratio, a.model_version
    FROM analytics.mv_allocation_summary AS a
   WHERE a.tenant_id = allocation_summary_for.tenant
   ORDER BY a.model, a.currency, a.allocated_cents DESC, a.channel
$$;

-- migrate:down
-- (Forward only, README "Migrations": these functions keep these bodies.)
SELECT 1;
