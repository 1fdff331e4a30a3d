-- migrate:up
-- What a generator looks at, normalized once so that the same request always
-- builds the same prompt: a UTC date range (inclusive end dates, open when
-- absent), an attribution model (default linear: every touch counts, which
-- suits questions about channels), one currency (amounts in different
-- currencies are never added; default: the currency of most of the window's
-- purchases) and an optional channel filter. Bad options are refused with
-- 22023 naming the option.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_scope(options jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  o jsonb := coalesce(options, '{}');
  start_date date;
  end_date date;
  model text := coalesce(o ->> 'model', 'linear');
  currency text := upper(o ->> 'currency');
  channels jsonb := coalesce(o -> 'channels', '[]');
  unknown text;
BEGIN
  IF jsonb_typeof(o) <> 'object' THEN
    RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'context';
  END IF;
  BEGIN
    start_date := (o #>> '{date_range,start_date}')::date;
    end_date := (o #>> '{date_range,end_date}')::date;
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'date_range.start_date and end_date must be dates (YYYY-MM-DD)'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'date_range';
  END;
  IF start_date > end_date THEN
    RAISE EXCEPTION 'date_range.start_date % is after end_date %', start_date, end_date
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'date_range';
  END IF;
  IF NOT model = ANY (enum_range(NULL::skeldir.attribution_model)::text[]) THEN
    RAISE EXCEPTION 'model must be one of %', enum_range(NULL::skeldir.attribution_model)
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'model';
  END IF;
  IF jsonb_typeof(channels) <> 'array' THEN
    RAISE EXCEPTION 'channels must be an array of channel codes' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;
  SELECT string_agg(c.value::text, ', ') INTO unknown
    FROM jsonb_array_elements(channels) AS c
   WHERE NOT EXISTS (SELECT FROM skeldir.channel_taxonomy AS t WHERE to_jsonb(t.code) = c.value);
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown channel(s): %', unknown USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;
  SELECT coalesce(jsonb_agg(DISTINCT c.value ORDER BY c.value), '[]') INTO channels
    FROM jsonb_array_elements(channels) AS c;
  IF currency IS NULL THEN
    SELECT e.currency INTO currency
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = (SELECT skeldir.current_tenant_id()) AND e.event_type = 'purchase' AND e.revenue_cents > 0
       AND e.occurred_at >= coalesce(start_date::timestamp AT TIME ZONE 'UTC', '-infinity')
       AND e.occurred_at < coalesce((end_date + 1)::timestamp AT TIME ZONE 'UTC', 'infinity')
     GROUP BY e.currency
     ORDER BY count(*) DESC, e.currency
     LIMIT 1;
    currency := coalesce(currency, 'USD');
  ELSIF NOT EXISTS (SELECT FROM skeldir.currencies AS c WHERE c.code = currency) THEN
    RAISE EXCEPTION 'unknown currency %', quote_literal(currency) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'currency';
  END IF;
  RETURN jsonb_build_object('start_date', start_date, 'end_date', end_date, 'model', model,
                            'currency', currency, 'channels', channels);
END
$$;

-- The scope's half-open time window [from, to).
CREATE FUNCTION skeldir.llm_scope_from(scope jsonb) RETURNS timestamptz
LANGUAGE sql IMMUTABLE
RETURN coalesce((scope ->> 'start_date')::date::timestamp AT TIME ZONE 'UTC', '-infinity');

CREATE FUNCTION skeldir.llm_scope_to(scope jsonb) RETURNS timestamptz
LANGUAGE sql IMMUTABLE
RETURN coalesce(((scope ->> 'end_date')::date + 1)::timestamp AT TIME ZONE 'UTC', 'infinity');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_scope_to(jsonb);
DROP FUNCTION skeldir.llm_scope_from(jsonb);
DROP FUNCTION skeldir.llm_scope(jsonb);
