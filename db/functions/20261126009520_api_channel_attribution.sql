-- migrate:up
-- GET /api/attribution/channels: revenue credited to each channel over a
-- range of days (default: the 30 days up to today), under one attribution
-- model (default linear), in the tenant's main currency over that range,
-- from api.channel_performance.
-- Channels are reported under their platform names; conversions are the
-- purchases whose last touch was the channel. The confidence of a channel's
-- figure grows with the purchases behind it: 1 - 1/sqrt(1 + purchases).
-- There is no ad-spend data, so spend and ROAS are left out.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.channel_attribution(tenant uuid, start_date date, end_date date, model text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  from_day date := coalesce(start_date, coalesce(end_date, current_date) - 29);
  to_day date := coalesce(end_date, current_date);
  chosen skeldir.attribution_model;
  main_currency text;
  channels jsonb;
BEGIN
  IF coalesce(model, 'linear') <> ALL (enum_range(NULL::skeldir.attribution_model)::text[]) THEN
    RAISE EXCEPTION 'model must be one of %', array_to_string(enum_range(NULL::skeldir.attribution_model)::text[], ', ')
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'model';
  END IF;
  chosen := coalesce(model, 'linear');

  SELECT c.currency INTO main_currency
    FROM api.channel_performance(tenant, from_day, to_day) AS c
   GROUP BY c.currency
   ORDER BY sum(c.last_touch_cents) DESC, c.currency
   LIMIT 1;

  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'channel_name', x.report_name,
           'revenue', skeldir.major_units(x.cents, main_currency),
           'conversion_count', x.conversions,
           'confidence_score', round(1 - 1 / sqrt(1 + x.purchases::numeric), 2),
           'channels', x.codes) ORDER BY x.cents DESC, x.report_name), '[]')
    INTO channels
    FROM (SELECT c.report_name, array_agg(c.channel ORDER BY c.channel) AS codes,
                 sum(CASE chosen WHEN 'last_touch' THEN c.last_touch_cents WHEN 'first_touch' THEN c.first_touch_cents
                                 WHEN 'linear' THEN c.linear_cents ELSE c.time_decay_cents END)::bigint AS cents,
                 sum(c.conversions)::bigint AS conversions, sum(c.touched_purchases)::bigint AS purchases
            FROM api.channel_performance(tenant, from_day, to_day) AS c
           WHERE c.currency = main_currency
           GROUP BY c.report_name) AS x;

  RETURN jsonb_build_object(
    'channels', channels,
    'total_revenue', coalesce((SELECT sum((ch ->> 'revenue')::numeric) FROM jsonb_array_elements(channels) AS ch), 0),
    'currency', main_currency,
    'model', chosen,
    'date_range', jsonb_build_object('start', from_day, 'end', to_day));
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.channel_attribution(uuid, date, date, text);
