-- migrate:up
-- A tenant's reconciliation standing as the dashboards read it: the rows of
-- analytics.mv_reconciliation_status, or, for a tenant created since the
-- view last refreshed, every platform pending (which is what the view will
-- say once refreshed: the tenant has requested no run). Without this a new
-- tenant's status was empty and each platform a 404 until the next refresh.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.reconciliation_rows(tenant uuid) RETURNS SETOF analytics.mv_reconciliation_status
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT s.* FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant
  UNION ALL
  SELECT tenant, p.platform, p.side, p.display_name, 'pending'::skeldir.reconciliation_status, 0, 0, 0, 0, 0,
         '{}'::jsonb, NULL::timestamptz, NULL::text, NULL::uuid
    FROM skeldir.reconciliation_platforms AS p
   WHERE NOT EXISTS (SELECT FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant);
END;

CREATE OR REPLACE FUNCTION api.reconciliation_overview(tenant uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'platforms', coalesce(jsonb_agg(skeldir.reconciliation_platform_json(s) ORDER BY s.side DESC, s.platform), '[]'),
           'overall_status', CASE WHEN bool_or(s.status = 'failed') THEN 'failed'
                                  WHEN bool_or(s.status = 'pending') OR count(*) = 0 THEN 'pending'
                                  WHEN bool_or(s.status = 'partial') THEN 'partial'
                                  ELSE 'verified' END,
           'last_full_sync', max(s.last_synced_at))
    FROM skeldir.reconciliation_rows(tenant) AS s;
END;

CREATE OR REPLACE FUNCTION api.reconciliation_platform(tenant uuid, platform_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT skeldir.reconciliation_platform_json(s) INTO found
    FROM skeldir.reconciliation_rows(tenant) AS s
   WHERE lower(platform_id) IN (s.platform::text, lower(s.display_name));
  IF found IS NULL THEN
    RAISE EXCEPTION 'no reconciled platform %', quote_literal(platform_id)
      USING ERRCODE = 'no_data_found', HINT = 'Platforms: shopify, woocommerce, stripe, paypal.';
  END IF;
  RETURN found;
END
$$;

CREATE OR REPLACE FUNCTION api.reconciliation_status(tenant uuid)
RETURNS TABLE (platform text, side text, display_name text, status text, orders_total integer,
               verified_count integer, ghost_count integer, discrepancy_count integer, unmatched_count integer,
               verified_revenue jsonb, last_synced_at timestamptz, error text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT r.platform::text, r.side, r.display_name, r.status::text, r.orders_total, r.verified_count,
         r.ghost_count, r.discrepancy_count, r.unmatched_count, r.verified_revenue, r.last_synced_at, r.error
    FROM skeldir.reconciliation_rows(tenant) AS r
   ORDER BY r.side DESC, r.platform;
END;

-- migrate:down
-- (the api functions keep these bodies; 20261126009530 and 20261126008010 define the ones before.)
SET LOCAL ROLE skeldir_owner;
SELECT 1;
