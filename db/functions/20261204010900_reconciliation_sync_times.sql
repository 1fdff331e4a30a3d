-- migrate:up
-- What the contract requires of reconciliation answers, with null semantics
-- of our own where it allows no null:
--   last_sync (required, a date-time): when the platform's numbers were
--     last reconciled, i.e. when the run they come from finished; before the
--     tenant's first completed run, when the tenant was created: its numbers
--     (all zero, status pending) are those of that moment, when there was
--     nothing to reconcile. So a platform that never synced has a last_sync
--     no later than any real one, and connection_status says pending.
--   last_full_sync (a date-time, no longer null): every run reconciles every
--     platform (skeldir.reconcile writes a status row for each one), so the
--     last sync across all platforms is the oldest of their last_sync: when
--     the run the numbers come from finished, or when the tenant was created
--     while any platform has never synced.
-- GET /api/reconciliation/platform/{platform_id} also lists the platform's
-- discrepancies of the run its numbers come from (ghost and discrepant
-- orders, newest first, up to 100), each with its id, the entity_id of
-- GET /api/v1/explain/reconciliation_discrepancy/{entity_id}. Both
-- functions now enter the tenant (skeldir.enter_tenant), as the other _for
-- functions do, to read its creation time and results under RLS.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) RETURNS jsonb
LANGUAGE sql STABLE
RETURN jsonb_strip_nulls(jsonb_build_object(
  'platform_name', s.display_name,
  'platform', s.platform,
  'connection_status', s.status,
  'last_sync', coalesce(s.last_synced_at, (SELECT t.created_at FROM skeldir.tenants AS t WHERE t.id = s.tenant_id)),
  'events_processed', s.orders_total,
  'revenue_verified', (SELECT skeldir.major_units((s.verified_revenue ->> v.currency)::bigint, v.currency)
                         FROM (SELECT k AS currency FROM jsonb_object_keys(s.verified_revenue) AS k
                                ORDER BY (s.verified_revenue ->> k)::bigint DESC, k LIMIT 1) AS v),
  'verified_revenue', (SELECT jsonb_object_agg(k, skeldir.major_units((s.verified_revenue ->> k)::bigint, k))
                         FROM jsonb_object_keys(s.verified_revenue) AS k),
  'orders', jsonb_build_object('verified', s.verified_count, 'ghost', s.ghost_count,
                               'discrepancy', s.discrepancy_count, 'unmatched_captures', s.unmatched_count),
  'error_message', s.error));

CREATE OR REPLACE FUNCTION skeldir.reconciliation_overview_for(tenant uuid) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  platforms jsonb;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  SELECT coalesce(jsonb_agg(skeldir.reconciliation_platform_json(s) ORDER BY s.side DESC, s.platform), '[]')
    INTO platforms
    FROM skeldir.reconciliation_rows(tenant) AS s;
  RETURN jsonb_build_object(
    'platforms', platforms,
    'overall_status', CASE WHEN jsonb_array_length(platforms) = 0 THEN 'pending'
                           WHEN platforms @> '[{"connection_status": "failed"}]' THEN 'failed'
                           WHEN platforms @> '[{"connection_status": "pending"}]' THEN 'pending'
                           WHEN platforms @> '[{"connection_status": "partial"}]' THEN 'partial'
                           ELSE 'verified' END,
    'last_full_sync', coalesce((SELECT to_jsonb(min((p ->> 'last_sync')::timestamptz))
                                  FROM jsonb_array_elements(platforms) AS p),
                               (SELECT to_jsonb(t.created_at) FROM skeldir.tenants AS t WHERE t.id = tenant)));
END
$$;

CREATE OR REPLACE FUNCTION skeldir.reconciliation_platform_for(tenant uuid, platform_id text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  s analytics.mv_reconciliation_status;
  shown uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  SELECT * INTO s FROM skeldir.reconciliation_rows(tenant) AS r
   WHERE lower(platform_id) IN (r.platform::text, lower(r.display_name));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciled platform %', quote_literal(platform_id)
      USING ERRCODE = 'no_data_found', HINT = 'Platforms: shopify, woocommerce, stripe, paypal.';
  END IF;
  -- The run the view's numbers come from: the completed run that finished
  -- when the platform last synced (the view may lag the runs); failing that
  -- (the run was rerun since the view refreshed), the platform's synced run.
  SELECT r.id INTO shown FROM skeldir.reconciliation_runs AS r
   WHERE r.tenant_id = tenant AND r.status = 'completed' AND r.finished_at = s.last_synced_at
   ORDER BY r.requested_at DESC
   LIMIT 1;
  IF shown IS NULL AND s.last_synced_at IS NOT NULL THEN
    SELECT p.synced_run_id INTO shown FROM skeldir.reconciliation_platform_status AS p
     WHERE p.tenant_id = tenant AND p.platform = s.platform;
  END IF;
  RETURN skeldir.reconciliation_platform_json(s) || jsonb_build_object('discrepancies', (
    SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
             'id', x.id, 'order_id', x.order_id, 'outcome', x.outcome, 'ordered_at', x.ordered_at,
             'shop_platform', x.shop_platform, 'processor_platform', x.processor_platform, 'currency', x.currency,
             'claimed', skeldir.major_units(x.claimed_cents, x.currency),
             'captured', skeldir.major_units(x.captured_cents, x.currency),
             'discrepancy_bps', x.discrepancy_bps))
             ORDER BY x.ordered_at DESC, x.order_id, x.shop_platform), '[]')
      FROM (SELECT y.* FROM skeldir.reconciliation_results AS y
             WHERE y.tenant_id = tenant AND y.run_id = shown AND y.outcome <> 'verified'
               AND s.platform = CASE s.side WHEN 'shop' THEN y.shop_platform ELSE y.processor_platform END
             ORDER BY y.ordered_at DESC, y.order_id, y.shop_platform
             LIMIT 100) AS x));
END
$$;

-- migrate:down
-- (The three functions keep these bodies; 20261202002200 and 20261203009600
-- define the ones before, which omitted last_sync before a platform's first
-- sync and answered last_full_sync null.)
SELECT 1;
