-- migrate:up
-- GET /api/attribution/channels: each row lists, beside its taxonomy codes
-- (channels), their stable ids (channel_ids, skeldir.channel_id, in the
-- same order), the UUID entity_id the contract's explain operation takes
-- for channel_performance. Otherwise as in 20261202004500.
SET LOCAL ROLE skeldir_owner;

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
           'channel_ids', (SELECT jsonb_agg(skeldir.channel_id(code) ORDER BY o) FROM unnest(x.codes) WITH ORDINALITY AS u(code, o)),
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

-- migrate:down
-- (skeldir.channel_attribution_for keeps this body, channel_ids included;
-- the one before is the current one of 20261203009600.)
SELECT 1;
