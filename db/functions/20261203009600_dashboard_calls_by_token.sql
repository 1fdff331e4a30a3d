-- migrate:up
-- Dashboard calls present the access token, not a tenant. Each api function
-- that took a tenant id moves, unchanged, to skeldir with a _for suffix (the
-- tenant-scoped body, now an ordinary function no runtime role may run),
-- and the api function of each dashboard call takes the presented access
-- token in its place: skeldir.session_tenant verifies it (signature,
-- expiry, live session, enabled user) and enters its tenant, so the API role
-- reads a tenant only by holding one of its users' live tokens, whatever it
-- passes. Reads no route calls (daily revenue, channel performance,
-- allocations, realtime revenue, reconciliation status) move without a
-- door: the routes reach them through the calls above.
SET LOCAL ROLE skeldir_owner;

ALTER FUNCTION api.allocation_summary(uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.allocation_summary(uuid) RENAME TO allocation_summary_for;
ALTER FUNCTION skeldir.allocation_summary_for(uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.allocation_summary_for(uuid) FROM skeldir_api;

ALTER FUNCTION api.budget_recommendation(uuid, uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.budget_recommendation(uuid, uuid) RENAME TO budget_recommendation_for;
ALTER FUNCTION skeldir.budget_recommendation_for(uuid, uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.budget_recommendation_for(uuid, uuid) FROM skeldir_api;

ALTER FUNCTION api.channel_attribution(uuid, date, date, text, text) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.channel_attribution(uuid, date, date, text, text) RENAME TO channel_attribution_for;
ALTER FUNCTION skeldir.channel_attribution_for(uuid, date, date, text, text) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.channel_attribution_for(uuid, date, date, text, text) FROM skeldir_api;

ALTER FUNCTION api.channel_performance(uuid, date, date) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.channel_performance(uuid, date, date) RENAME TO channel_performance_for;
ALTER FUNCTION skeldir.channel_performance_for(uuid, date, date) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.channel_performance_for(uuid, date, date) FROM skeldir_api;

ALTER FUNCTION api.daily_revenue(uuid, date, date) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.daily_revenue(uuid, date, date) RENAME TO daily_revenue_for;
ALTER FUNCTION skeldir.daily_revenue_for(uuid, date, date) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.daily_revenue_for(uuid, date, date) FROM skeldir_api;

ALTER FUNCTION api.explain(uuid, text, text, uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.explain(uuid, text, text, uuid) RENAME TO explain_for;
ALTER FUNCTION skeldir.explain_for(uuid, text, text, uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.explain_for(uuid, text, text, uuid) FROM skeldir_api;

ALTER FUNCTION api.investigation_status(uuid, uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.investigation_status(uuid, uuid) RENAME TO investigation_status_for;
ALTER FUNCTION skeldir.investigation_status_for(uuid, uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.investigation_status_for(uuid, uuid) FROM skeldir_api;

ALTER FUNCTION api.put_spend(uuid, jsonb) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.put_spend(uuid, jsonb) RENAME TO put_spend_for;
ALTER FUNCTION skeldir.put_spend_for(uuid, jsonb) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.put_spend_for(uuid, jsonb) FROM skeldir_api;

ALTER FUNCTION api.realtime_revenue(uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.realtime_revenue(uuid) RENAME TO realtime_revenue_for;
ALTER FUNCTION skeldir.realtime_revenue_for(uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.realtime_revenue_for(uuid) FROM skeldir_api;

ALTER FUNCTION api.realtime_revenue_counter(uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.realtime_revenue_counter(uuid) RENAME TO realtime_revenue_counter_for;
ALTER FUNCTION skeldir.realtime_revenue_counter_for(uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.realtime_revenue_counter_for(uuid) FROM skeldir_api;

ALTER FUNCTION api.reconciliation_overview(uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.reconciliation_overview(uuid) RENAME TO reconciliation_overview_for;
ALTER FUNCTION skeldir.reconciliation_overview_for(uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.reconciliation_overview_for(uuid) FROM skeldir_api;

ALTER FUNCTION api.reconciliation_platform(uuid, text) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.reconciliation_platform(uuid, text) RENAME TO reconciliation_platform_for;
ALTER FUNCTION skeldir.reconciliation_platform_for(uuid, text) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.reconciliation_platform_for(uuid, text) FROM skeldir_api;

ALTER FUNCTION api.reconciliation_status(uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.reconciliation_status(uuid) RENAME TO reconciliation_status_for;
ALTER FUNCTION skeldir.reconciliation_status_for(uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.reconciliation_status_for(uuid) FROM skeldir_api;

ALTER FUNCTION api.request_reconciliation(uuid, date, date) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.request_reconciliation(uuid, date, date) RENAME TO request_reconciliation_for;
ALTER FUNCTION skeldir.request_reconciliation_for(uuid, date, date) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.request_reconciliation_for(uuid, date, date) FROM skeldir_api;

ALTER FUNCTION api.revenue_export(uuid, date, date, text[]) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.revenue_export(uuid, date, date, text[]) RENAME TO revenue_export_for;
ALTER FUNCTION skeldir.revenue_export_for(uuid, date, date, text[]) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.revenue_export_for(uuid, date, date, text[]) FROM skeldir_api;

ALTER FUNCTION api.start_budget_optimization(uuid, numeric, text, jsonb, uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.start_budget_optimization(uuid, numeric, text, jsonb, uuid) RENAME TO start_budget_optimization_for;
ALTER FUNCTION skeldir.start_budget_optimization_for(uuid, numeric, text, jsonb, uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.start_budget_optimization_for(uuid, numeric, text, jsonb, uuid) FROM skeldir_api;

ALTER FUNCTION api.start_investigation(uuid, text, jsonb, uuid) SET SCHEMA skeldir;
ALTER FUNCTION skeldir.start_investigation(uuid, text, jsonb, uuid) RENAME TO start_investigation_for;
ALTER FUNCTION skeldir.start_investigation_for(uuid, text, jsonb, uuid) SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.start_investigation_for(uuid, text, jsonb, uuid) FROM skeldir_api;

-- Channel attribution read channel performance by its api name.
CREATE OR REPLACE FUNCTION skeldir.channel_attribution_for(tenant uuid, start_date date, end_date date, model text, currency text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
  from_day date := coalesce(start_date, coalesce(end_date, current_date) - 29);
  to_day date := coalesce(end_date, current_date);
  chosen skeldir.attribution_model;
  shown text := upper(btrim(currency));
  channels jsonb;
  currencies jsonb;
BEGIN
  IF coalesce(model, 'linear') <> ALL (enum_range(NULL::skeldir.attribution_model)::text[]) THEN
    RAISE EXCEPTION 'model must be one of %', array_to_string(enum_range(NULL::skeldir.attribution_model)::text[], ', ')
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'model';
  END IF;
  chosen := coalesce(model, 'linear');
  IF shown IS NOT NULL AND NOT EXISTS (SELECT FROM skeldir.currencies AS c WHERE c.code = shown) THEN
    RAISE EXCEPTION 'currency % is not an ISO 4217 code Skeldir knows', quote_literal(left(currency, 20))
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'currency';
  END IF;
  IF shown IS NULL THEN
    SELECT c.currency INTO shown
      FROM analytics.mv_channel_performance AS c
     WHERE c.tenant_id = tenant
     GROUP BY c.currency
     ORDER BY sum(c.last_touch_cents) DESC, c.currency
     LIMIT 1;
  END IF;

  PERFORM skeldir.enter_tenant(tenant);  -- ad spend is read under RLS
  WITH per_channel AS (
    SELECT c.report_name, c.currency, array_agg(c.channel ORDER BY c.channel) AS codes,
           sum(CASE chosen WHEN 'last_touch' THEN c.last_touch_cents WHEN 'first_touch' THEN c.first_touch_cents
                           WHEN 'linear' THEN c.linear_cents WHEN 'time_decay' THEN c.time_decay_cents
                           ELSE c.position_based_cents END)::bigint AS cents,
           sum(c.conversions)::bigint AS conversions, sum(c.touched_purchases)::bigint AS purchases
      FROM skeldir.channel_performance_for(tenant, from_day, to_day) AS c
     GROUP BY c.report_name, c.currency
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'channel_name', x.report_name,
           'revenue', skeldir.major_units(x.cents, shown),
           'conversion_count', x.conversions,
           'confidence_score', round(1 - 1 / sqrt(1 + x.purchases::numeric), 2),
           'channels', x.codes,
           'spend', skeldir.major_units(x.spend_cents, shown),
           'roas', CASE WHEN x.spend_cents > 0 THEN round(x.cents::numeric / x.spend_cents, 2) END)
           ORDER BY x.cents DESC, x.report_name) FILTER (WHERE x.currency = shown), '[]'),
         coalesce((SELECT jsonb_agg(jsonb_build_object('currency', y.currency,
                                                      'total_revenue', skeldir.major_units(y.cents, y.currency))
                                    ORDER BY y.cents DESC, y.currency)
                     FROM (SELECT z.currency, sum(z.cents)::bigint AS cents FROM per_channel AS z GROUP BY z.currency) AS y),
                  '[]')
    INTO channels, currencies
    FROM (SELECT p.*, (SELECT sum(s.amount_cents)::bigint FROM skeldir.ad_spend AS s
                        WHERE s.channel = ANY (p.codes) AND s.currency = p.currency
                          AND s.day BETWEEN from_day AND to_day) AS spend_cents
            FROM per_channel AS p) AS x;

  RETURN jsonb_build_object(
    'channels', channels,
    'total_revenue', coalesce((SELECT sum((ch ->> 'revenue')::numeric) FROM jsonb_array_elements(channels) AS ch), 0),
    'currency', shown,
    'currencies', currencies,
    'model', chosen,
    'date_range', jsonb_build_object('start', from_day, 'end', to_day));
END
$function$;

-- GET /api/budget/recommendations/{job_id}
CREATE FUNCTION api.budget_recommendation(access_token text, job_id uuid)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.budget_recommendation_for(skeldir.session_tenant(access_token), job_id);
END;

-- GET /api/attribution/channels
CREATE FUNCTION api.channel_attribution(access_token text, start_date date, end_date date, model text, currency text DEFAULT NULL::text)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.channel_attribution_for(skeldir.session_tenant(access_token), start_date, end_date, model, currency);
END;

-- GET /api/attribution/explain/{entity_type}/{entity_id}
CREATE FUNCTION api.explain(access_token text, entity_type text, entity_id text, request_id uuid)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.explain_for(skeldir.session_tenant(access_token), entity_type, entity_id, request_id);
END;

-- GET /api/investigations/{id}/status
CREATE FUNCTION api.investigation_status(access_token text, investigation_id uuid)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.investigation_status_for(skeldir.session_tenant(access_token), investigation_id);
END;

-- PUT /api/spend
CREATE FUNCTION api.put_spend(access_token text, rows jsonb)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.put_spend_for(skeldir.session_tenant(access_token), rows);
END;

-- GET /api/attribution/revenue/realtime
CREATE FUNCTION api.realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT * FROM skeldir.realtime_revenue_counter_for(skeldir.session_tenant(access_token));
END;

-- GET /api/reconciliation/status
CREATE FUNCTION api.reconciliation_overview(access_token text)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.reconciliation_overview_for(skeldir.session_tenant(access_token));
END;

-- GET /api/reconciliation/platform/{platform_id}
CREATE FUNCTION api.reconciliation_platform(access_token text, platform_id text)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.reconciliation_platform_for(skeldir.session_tenant(access_token), platform_id);
END;

-- POST /api/reconciliation/sync
CREATE FUNCTION api.request_reconciliation(access_token text, start_date date, end_date date)
RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.request_reconciliation_for(skeldir.session_tenant(access_token), start_date, end_date);
END;

-- GET /api/export/revenue
CREATE FUNCTION api.revenue_export(access_token text, from_day date, to_day date, channels text[] DEFAULT NULL::text[])
RETURNS TABLE(ledger_id uuid, day date, occurred_at timestamp with time zone, order_id text, vendor text, transaction_id text, state text, currency text, amount_minor bigint, amount text, net_amount text, channel text, event_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT * FROM skeldir.revenue_export_for(skeldir.session_tenant(access_token), from_day, to_day, channels);
END;

-- POST /api/budget/optimize
CREATE FUNCTION api.start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid)
RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.start_budget_optimization_for(skeldir.session_tenant(access_token), total_budget, optimization_goal, constraints, request_id);
END;

-- POST /api/investigations
CREATE FUNCTION api.start_investigation(access_token text, question text, context jsonb, request_id uuid)
RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT skeldir.start_investigation_for(skeldir.session_tenant(access_token), question, context, request_id);
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.budget_recommendation(text, uuid);
DROP FUNCTION api.channel_attribution(text, date, date, text, text);
DROP FUNCTION api.explain(text, text, text, uuid);
DROP FUNCTION api.investigation_status(text, uuid);
DROP FUNCTION api.put_spend(text, jsonb);
DROP FUNCTION api.realtime_revenue_counter(text);
DROP FUNCTION api.reconciliation_overview(text);
DROP FUNCTION api.reconciliation_platform(text, text);
DROP FUNCTION api.request_reconciliation(text, date, date);
DROP FUNCTION api.revenue_export(text, date, date, text[]);
DROP FUNCTION api.start_budget_optimization(text, numeric, text, jsonb, uuid);
DROP FUNCTION api.start_investigation(text, text, jsonb, uuid);
