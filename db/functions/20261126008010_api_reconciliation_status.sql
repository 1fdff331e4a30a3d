-- migrate:up
-- The dashboards' read of reconciliation status per platform (SPEC §6.4),
-- for a tenant.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.reconciliation_status(tenant uuid)
RETURNS TABLE (platform text, side text, display_name text, status text, orders_total integer,
               verified_count integer, ghost_count integer, discrepancy_count integer, unmatched_count integer,
               verified_revenue jsonb, last_synced_at timestamptz, error text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT r.platform::text, r.side, r.display_name, r.status::text, r.orders_total, r.verified_count,
         r.ghost_count, r.discrepancy_count, r.unmatched_count, r.verified_revenue, r.last_synced_at, r.error
    FROM analytics.mv_reconciliation_status AS r
   WHERE r.tenant_id = tenant
   ORDER BY r.side DESC, r.platform;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.reconciliation_status(uuid);
