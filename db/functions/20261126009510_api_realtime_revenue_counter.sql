-- migrate:up
-- GET /api/attribution/revenue/realtime: a tenant's revenue so far
-- (api.realtime_revenue), with an entity tag over the data alone. The tag stays
-- the same while the numbers do, however often the view is refreshed; the
-- freshness fields are outside it.
--
-- total_revenue is net revenue (captured minus refunds and chargebacks) in
-- the tenant's main currency (the one with the most captured); every
-- currency is listed under currencies. verified is true when every platform
-- that reconciled orders is verified.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.realtime_revenue_counter(tenant uuid, OUT etag text, OUT body jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH r AS (
    SELECT * FROM api.realtime_revenue(tenant)
  ),
  refreshed AS (
    SELECT coalesce((SELECT max(r.refreshed_at) FROM r),
                    (SELECT s.last_at FROM skeldir.matview_refresh_stats AS s
                      WHERE s.view_name = 'mv_realtime_revenue' AND s.outcome = 'refreshed'),
                    now()) AS at
  ),
  data AS (
    SELECT jsonb_build_object(
             'tenant_id', tenant,
             'currency', main.currency,
             'total_revenue', coalesce(skeldir.major_units(main.net_cents, main.currency), 0),
             'event_count', (SELECT coalesce(sum(r.captures), 0) FROM r),
             'last_updated', coalesce((SELECT max(r.last_booked_at) FROM r), (SELECT at FROM refreshed)),
             'verified', coalesce((SELECT bool_and(s.status = 'verified') FILTER (WHERE s.orders_total > 0)
                                     FROM api.reconciliation_status(tenant) AS s), false),
             'currencies', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                              'currency', r.currency,
                                              'captured', skeldir.major_units(r.captured_cents, r.currency),
                                              'refunded', skeldir.major_units(r.refunded_cents, r.currency),
                                              'chargebacks', skeldir.major_units(r.chargeback_cents, r.currency),
                                              'net', skeldir.major_units(r.net_cents, r.currency),
                                              'captures', r.captures) ORDER BY r.currency)
                                       FROM r), '[]')) AS d
      FROM (SELECT NULL) AS one
      LEFT JOIN LATERAL (SELECT r.currency, r.net_cents FROM r ORDER BY r.captured_cents DESC, r.currency LIMIT 1) AS main
        ON true
  )
  SELECT '"' || md5(data.d::text) || '"',
         data.d || jsonb_build_object(
           'refreshed_at', refreshed.at,
           'data_freshness_seconds', greatest(0, floor(extract(epoch FROM now() - refreshed.at)))::integer)
    FROM data, refreshed;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.realtime_revenue_counter(uuid);
