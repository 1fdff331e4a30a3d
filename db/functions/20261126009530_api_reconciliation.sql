-- migrate:up
-- The reconciliation endpoints (SPEC §6.4): status of every platform, one
-- platform's, and a sync request (202 and a job).
--
-- A platform is named by its code or display name, in any case. The
-- overall status is the worst of the platforms': failed, then pending, then
-- partial, else verified. revenue_verified is in the tenant's main currency
-- (verified_revenue lists every currency). There is no sync schedule, so
-- next_scheduled_sync is absent.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) RETURNS jsonb
LANGUAGE sql STABLE
RETURN jsonb_strip_nulls(jsonb_build_object(
  'platform_name', s.display_name,
  'platform', s.platform,
  'connection_status', s.status,
  'last_sync', s.last_synced_at,
  'events_processed', s.orders_total,
  'revenue_verified', (SELECT skeldir.major_units((s.verified_revenue ->> v.currency)::bigint, v.currency)
                         FROM (SELECT k AS currency FROM jsonb_object_keys(s.verified_revenue) AS k
                                ORDER BY (s.verified_revenue ->> k)::bigint DESC, k LIMIT 1) AS v),
  'verified_revenue', (SELECT jsonb_object_agg(k, skeldir.major_units((s.verified_revenue ->> k)::bigint, k))
                         FROM jsonb_object_keys(s.verified_revenue) AS k),
  'orders', jsonb_build_object('verified', s.verified_count, 'ghost', s.ghost_count,
                               'discrepancy', s.discrepancy_count, 'unmatched_captures', s.unmatched_count),
  'error_message', s.error));

CREATE FUNCTION api.reconciliation_overview(tenant uuid) RETURNS jsonb
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
    FROM analytics.mv_reconciliation_status AS s
   WHERE s.tenant_id = tenant;
END;

CREATE FUNCTION api.reconciliation_platform(tenant uuid, platform_id text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT skeldir.reconciliation_platform_json(s) INTO found
    FROM analytics.mv_reconciliation_status AS s
   WHERE s.tenant_id = tenant AND lower(platform_id) IN (s.platform::text, lower(s.display_name));
  IF found IS NULL THEN
    RAISE EXCEPTION 'no reconciled platform %', quote_literal(platform_id)
      USING ERRCODE = 'no_data_found', HINT = 'Platforms: shopify, woocommerce, stripe, paypal.';
  END IF;
  RETURN found;
END
$$;

-- POST /api/reconciliation/sync: a run over the requested days (default
-- everything), coalesced with one already queued.
CREATE FUNCTION api.request_reconciliation(tenant uuid, start_date date, end_date date) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  run uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  IF start_date IS NOT NULL AND end_date IS NOT NULL THEN
    PERFORM skeldir.valid_day_range(start_date, end_date);
  END IF;
  run := skeldir.request_reconciliation(
           coalesce(start_date::timestamp AT TIME ZONE 'UTC', '-infinity'),
           coalesce((end_date + 1)::timestamp AT TIME ZONE 'UTC', 'infinity'));
  RETURN (SELECT jsonb_build_object(
                   'sync_id', r.id,
                   'status', CASE r.status WHEN 'queued' THEN 'queued' ELSE 'in_progress' END,
                   'estimated_completion', now() + interval '30 seconds')
            FROM skeldir.reconciliation_runs AS r WHERE r.id = run);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.request_reconciliation(uuid, date, date);
DROP FUNCTION api.reconciliation_platform(uuid, text);
DROP FUNCTION api.reconciliation_overview(uuid);
DROP FUNCTION skeldir.reconciliation_platform_json(analytics.mv_reconciliation_status);
