-- migrate:up
-- Every number an explanation states is one of its citations: a channel's
-- explanation also cites its share of attributed revenue, its rank and how
-- many channels had revenue (the text states all three), and a purchase's
-- cites each model's share per channel beside its amount. A channel's facts
-- carry its id (skeldir.channel_id). Otherwise as in 20261126007240.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_channel_performance_facts(channel text, scope jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  cur text := scope ->> 'currency';
  total bigint;
  n bigint;
  my_cents bigint;
  my_purchases bigint;
  my_rank bigint;
  top_channel text;
  top_cents bigint;
  top_name text;
BEGIN
  IF NOT EXISTS (SELECT FROM skeldir.channel_taxonomy AS t WHERE t.code = channel) THEN
    RAISE EXCEPTION 'unknown channel %', quote_literal(channel) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id';
  END IF;
  WITH per AS (
    SELECT a.channel, sum(a.allocated_cents)::bigint AS cents,
           count(DISTINCT a.event_id) FILTER (WHERE a.allocated_cents > 0) AS purchases
      FROM skeldir.attribution_allocations AS a
     WHERE a.tenant_id = (SELECT skeldir.current_tenant_id())
       AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
       AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
     GROUP BY a.channel
    HAVING sum(a.allocated_cents) > 0
  ),
  ranked AS (
    SELECT p.channel, p.cents, p.purchases, row_number() OVER (ORDER BY p.cents DESC, p.channel) AS rnk FROM per AS p
  ),
  agg AS (SELECT coalesce(sum(r.cents), 0)::bigint AS total, count(*) AS n FROM ranked AS r)
  SELECT agg.total, agg.n, coalesce(me.cents, 0), coalesce(me.purchases, 0), coalesce(me.rnk, agg.n + 1),
         top.channel, top.cents, t.display_name
    INTO total, n, my_cents, my_purchases, my_rank, top_channel, top_cents, top_name
    FROM agg
    LEFT JOIN ranked AS me ON me.channel = llm_channel_performance_facts.channel
    LEFT JOIN ranked AS top ON top.rnk = 1
    LEFT JOIN skeldir.channel_taxonomy AS t ON t.code = top.channel;
  RETURN jsonb_build_object(
    'entity_type', 'channel_performance',
    'channel', channel,
    'channel_id', skeldir.channel_id(channel),
    'channel_name', (SELECT t.display_name FROM skeldir.channel_taxonomy AS t WHERE t.code = channel),
    'scope', scope,
    'revenue', skeldir.major_units(my_cents, cur),
    'purchases', my_purchases,
    'revenue_share_pct', CASE WHEN total > 0 THEN round(100.0 * my_cents / total, 1) ELSE 0 END,
    'rank', my_rank,
    'channels_with_revenue', n,
    'total_revenue', skeldir.major_units(total, cur),
    'top_channel', top_channel,
    'top_channel_name', top_name,
    'top_channel_revenue', skeldir.major_units(top_cents, cur),
    'confidence', CASE WHEN my_purchases >= 30 THEN 'high' WHEN my_purchases >= 5 THEN 'medium' ELSE 'low' END,
    'citations', jsonb_build_array(
      jsonb_build_object('metric', channel || '_attributed_revenue', 'value', skeldir.major_units(my_cents, cur),
                         'unit', cur, 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_attributed_purchases', 'value', my_purchases,
                         'source', 'attribution_allocations.event_id'),
      jsonb_build_object('metric', 'total_attributed_revenue', 'value', skeldir.major_units(total, cur),
                         'unit', cur, 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_revenue_share_pct',
                         'value', CASE WHEN total > 0 THEN round(100.0 * my_cents / total, 1) ELSE 0 END,
                         'unit', '%', 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_revenue_rank', 'value', my_rank,
                         'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', 'channels_with_revenue', 'value', n, 'source', 'attribution_allocations.channel'))
    || CASE WHEN top_channel IS DISTINCT FROM channel AND top_channel IS NOT NULL THEN jsonb_build_array(
         jsonb_build_object('metric', top_channel || '_attributed_revenue', 'value', skeldir.major_units(top_cents, cur),
                            'unit', cur, 'source', 'attribution_allocations.allocated_cents'))
       ELSE '[]' END);
END
$function$;

CREATE OR REPLACE FUNCTION skeldir.llm_attribution_score_facts(event_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  e skeldir.attribution_events;
  models jsonb;
BEGIN
  SELECT * INTO e FROM skeldir.attribution_events AS x
   WHERE x.tenant_id = (SELECT skeldir.current_tenant_id()) AND x.id = event_id AND x.event_type = 'purchase';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no purchase %', event_id USING ERRCODE = 'no_data_found';
  END IF;
  SELECT coalesce(jsonb_object_agg(m.model, m.shares), '{}') INTO models
    FROM (SELECT a.model::text AS model,
                 jsonb_agg(jsonb_build_object('channel', a.channel, 'amount', skeldir.major_units(a.allocated_cents, a.currency),
                                              'ratio_pct', round(a.ratio * 100, 1))
                           ORDER BY a.allocated_cents DESC, a.channel) AS shares
            FROM skeldir.attribution_allocations AS a
           WHERE a.tenant_id = e.tenant_id AND a.event_id = e.id
           GROUP BY a.model) AS m;
  RETURN jsonb_build_object(
    'entity_type', 'attribution_score',
    'event_id', e.id,
    'channel', e.channel,
    'currency', e.currency,
    'revenue', skeldir.major_units(e.revenue_cents, e.currency),
    'occurred_on', (e.occurred_at AT TIME ZONE 'UTC')::date,
    'models', models,
    'confidence', CASE WHEN models = '{}' THEN 'low' ELSE 'high' END,
    'citations', jsonb_build_array(jsonb_build_object('metric', 'purchase_revenue',
                                                      'value', skeldir.major_units(e.revenue_cents, e.currency),
                                                      'unit', e.currency, 'source', 'attribution_events.revenue_cents'))
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', m.key || '_' || (s ->> 'channel') || '_allocated',
                                                                  'value', s -> 'amount', 'unit', e.currency,
                                                                  'source', 'attribution_allocations.allocated_cents')
                                               ORDER BY m.key, o), '[]')
                       FROM jsonb_each(models) AS m, jsonb_array_elements(m.value) WITH ORDINALITY AS x(s, o))
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', m.key || '_' || (s ->> 'channel') || '_share_pct',
                                                                  'value', s -> 'ratio_pct', 'unit', '%',
                                                                  'source', 'attribution_allocations.ratio')
                                               ORDER BY m.key, o), '[]')
                       FROM jsonb_each(models) AS m, jsonb_array_elements(m.value) WITH ORDINALITY AS x(s, o)));
END
$function$;

-- migrate:down
-- (Both functions keep these bodies; 20261126007240 defines the ones before.)
SELECT 1;
