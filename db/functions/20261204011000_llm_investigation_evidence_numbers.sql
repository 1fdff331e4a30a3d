-- migrate:up
-- An investigation's evidence values are numbers, as the contract requires,
-- never null: a refund spike on a day without captures has no refund rate
-- (it would divide by zero), so its evidence is that day's captured revenue,
-- 0, beside its refunds, and its finding says there is no rate (it read
-- "a refund rate of n/a (no captures)%"). Otherwise as in 20261126007250.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_investigation_facts(question text, context jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  scope jsonb := skeldir.llm_scope(context);
  cur text := scope ->> 'currency';
  channel_filter text[] := ARRAY(SELECT jsonb_array_elements_text(scope -> 'channels'));
  daily jsonb;
  stats record;
  anomalies jsonb;
  top_channels jsonb;
  findings jsonb;
  depth text;
BEGIN
  WITH money AS (
    SELECT (l.occurred_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0) AS captured,
           coalesce(sum(l.amount_cents) FILTER (WHERE l.state <> 'captured'), 0) AS refunded
      FROM skeldir.revenue_ledger AS l
      JOIN skeldir.attribution_events AS e ON e.tenant_id = l.tenant_id AND e.id = l.event_id
     WHERE l.tenant_id = (SELECT skeldir.current_tenant_id()) AND l.currency = cur
       AND l.occurred_at >= skeldir.llm_scope_from(scope) AND l.occurred_at < skeldir.llm_scope_to(scope)
       AND (cardinality(channel_filter) = 0 OR e.channel = ANY (channel_filter))
     GROUP BY 1
  ),
  span AS (SELECT greatest(min(m.day), max(m.day) - 365) AS first_day, max(m.day) AS last_day FROM money AS m)
  SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'captured', d.captured, 'refunded', d.refunded,
                                               'net', d.captured - d.refunded) ORDER BY d.day), '[]')
    INTO daily
    FROM (SELECT g::date AS day, coalesce(m.captured, 0) AS captured, coalesce(m.refunded, 0) AS refunded
            FROM span, generate_series(span.first_day::timestamp, span.last_day::timestamp, interval '1 day') AS g
            LEFT JOIN money AS m ON m.day = g::date) AS d;

  -- Minor units from here on; converted to the currency's amounts on output.
  SELECT count(*) AS days, coalesce(sum((x ->> 'captured')::bigint), 0) AS captured,
         coalesce(sum((x ->> 'refunded')::bigint), 0) AS refunded,
         avg((x ->> 'net')::numeric) AS mean, stddev_pop((x ->> 'net')::numeric) AS sd
    INTO stats
    FROM jsonb_array_elements(daily) AS x;
  depth := CASE WHEN stats.days >= 14 THEN 'high' WHEN stats.days >= 7 THEN 'medium' ELSE 'low' END;

  SELECT coalesce(jsonb_agg(s.a ORDER BY s.a ->> 'day', s.a ->> 'kind'), '[]') INTO anomalies
    FROM (SELECT u.a FROM (SELECT jsonb_build_object('day', x ->> 'day',
                                    'kind', CASE WHEN (x ->> 'net')::numeric > stats.mean THEN 'revenue_spike' ELSE 'revenue_drop' END,
                                    'net', skeldir.major_units((x ->> 'net')::numeric, cur),
                                    'z_score', round(((x ->> 'net')::numeric - stats.mean) / stats.sd, 2)) AS a
            FROM jsonb_array_elements(daily) AS x
           WHERE stats.sd > 0 AND abs((x ->> 'net')::numeric - stats.mean) >= 2 * stats.sd
          UNION ALL
          SELECT jsonb_build_object('day', x ->> 'day', 'kind', 'refund_spike',
                                    'refunded', skeldir.major_units((x ->> 'refunded')::numeric, cur),
                                    'refund_rate_pct', CASE WHEN (x ->> 'captured')::bigint > 0
                                      THEN round(100.0 * (x ->> 'refunded')::bigint / (x ->> 'captured')::bigint, 2) END)
            FROM jsonb_array_elements(daily) AS x
           WHERE (x ->> 'refunded')::bigint > 0
             AND (x ->> 'refunded')::numeric * stats.captured >= 2 * stats.refunded * (x ->> 'captured')::numeric
          ) AS u(a)
           ORDER BY u.a ->> 'day', u.a ->> 'kind'
           LIMIT 10) AS s(a);

  SELECT coalesce(jsonb_agg(jsonb_build_object('channel', c.channel, 'revenue', skeldir.major_units(c.cents, cur),
                                               'revenue_share_pct', round(100.0 * c.cents / nullif(c.total, 0), 1))
                            ORDER BY c.cents DESC, c.channel), '[]')
    INTO top_channels
    FROM (SELECT a.channel, sum(a.allocated_cents) AS cents, sum(sum(a.allocated_cents)) OVER () AS total
            FROM skeldir.attribution_allocations AS a
           WHERE a.tenant_id = (SELECT skeldir.current_tenant_id())
             AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
             AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
             AND (cardinality(channel_filter) = 0 OR a.channel = ANY (channel_filter))
           GROUP BY a.channel
          HAVING sum(a.allocated_cents) > 0
           ORDER BY 2 DESC, 1
           LIMIT 5) AS c;

  findings := jsonb_build_array(jsonb_build_object(
    'finding', format('Net revenue was %s %s over %s day(s): %s captured, %s refunded.',
                      skeldir.major_units(stats.captured - stats.refunded, cur), cur, stats.days,
                      skeldir.major_units(stats.captured, cur), skeldir.major_units(stats.refunded, cur)),
    'evidence', jsonb_build_array(
      jsonb_build_object('metric', 'captured_revenue', 'value', skeldir.major_units(stats.captured, cur), 'source', 'revenue_ledger.amount_cents'),
      jsonb_build_object('metric', 'refunded_revenue', 'value', skeldir.major_units(stats.refunded, cur), 'source', 'revenue_ledger.amount_cents'),
      jsonb_build_object('metric', 'net_revenue', 'value', skeldir.major_units(stats.captured - stats.refunded, cur), 'source', 'revenue_ledger.amount_cents')),
    'confidence', depth));
  IF stats.captured > 0 THEN
    findings := findings || jsonb_build_object(
      'finding', format('The refund rate was %s%%.', round(100.0 * stats.refunded / stats.captured, 2)),
      'evidence', jsonb_build_array(jsonb_build_object('metric', 'refund_rate_pct',
                                                       'value', round(100.0 * stats.refunded / stats.captured, 2),
                                                       'source', 'revenue_ledger.amount_cents')),
      'confidence', depth);
  END IF;
  SELECT findings || coalesce(jsonb_agg(jsonb_build_object(
           'finding', CASE a ->> 'kind'
                        WHEN 'refund_spike' THEN
                          CASE WHEN jsonb_typeof(a -> 'refund_rate_pct') = 'number'
                               THEN format('%s: refunds of %s %s, a refund rate of %s%%, at least twice the window''s.',
                                           a ->> 'day', a ->> 'refunded', cur, a ->> 'refund_rate_pct')
                               ELSE format('%s: refunds of %s %s on a day without captures, so without a refund rate (n/a).',
                                           a ->> 'day', a ->> 'refunded', cur) END
                        ELSE format('%s: net revenue of %s %s, %s standard deviations from the daily mean of %s %s.',
                                    a ->> 'day', a ->> 'net', cur, a ->> 'z_score', skeldir.major_units(round(stats.mean), cur), cur) END,
           'evidence', CASE a ->> 'kind'
                         WHEN 'refund_spike' THEN jsonb_build_array(
                           jsonb_build_object('metric', 'refunded_revenue_' || (a ->> 'day'), 'value', a -> 'refunded', 'source', 'revenue_ledger.amount_cents'),
                           CASE WHEN jsonb_typeof(a -> 'refund_rate_pct') = 'number'
                                THEN jsonb_build_object('metric', 'refund_rate_pct_' || (a ->> 'day'), 'value', a -> 'refund_rate_pct', 'source', 'revenue_ledger.amount_cents')
                                -- No captures that day, so no rate: the captures (0) are the evidence.
                                ELSE jsonb_build_object('metric', 'captured_revenue_' || (a ->> 'day'), 'value', skeldir.major_units(0, cur), 'source', 'revenue_ledger.amount_cents') END)
                         ELSE jsonb_build_array(
                           jsonb_build_object('metric', 'net_revenue_' || (a ->> 'day'), 'value', a -> 'net', 'source', 'revenue_ledger.amount_cents'),
                           jsonb_build_object('metric', 'daily_mean_net_revenue', 'value', skeldir.major_units(round(stats.mean), cur), 'source', 'revenue_ledger.amount_cents'),
                           jsonb_build_object('metric', 'z_score', 'value', a -> 'z_score', 'source', 'revenue_ledger.amount_cents')) END,
           'confidence', depth) ORDER BY o), '[]')
    INTO findings
    FROM jsonb_array_elements(anomalies) WITH ORDINALITY AS x(a, o);
  IF jsonb_array_length(top_channels) > 0 THEN
    findings := findings || jsonb_build_object(
      'finding', format('%s earned the most attributed revenue: %s %s, %s%% (%s model).',
                        top_channels #>> '{0,channel}', top_channels #>> '{0,revenue}', cur,
                        top_channels #>> '{0,revenue_share_pct}', scope ->> 'model'),
      'evidence', jsonb_build_array(jsonb_build_object('metric', (top_channels #>> '{0,channel}') || '_attributed_revenue',
                                                       'value', top_channels #> '{0,revenue}',
                                                       'source', 'attribution_allocations.allocated_cents')),
      'confidence', depth);
  END IF;

  RETURN jsonb_build_object(
    'question', question,
    'scope', scope,
    'days', stats.days,
    'totals', jsonb_build_object('captured', skeldir.major_units(stats.captured, cur),
                                 'refunded', skeldir.major_units(stats.refunded, cur),
                                 'net', skeldir.major_units(stats.captured - stats.refunded, cur),
                                 'refund_rate_pct', CASE WHEN stats.captured > 0
                                                         THEN round(100.0 * stats.refunded / stats.captured, 2) END),
    'daily_mean_net', skeldir.major_units(round(stats.mean), cur),
    'daily_stddev_net', skeldir.major_units(round(stats.sd), cur),
    'revenue_by_day', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                'day', x ->> 'day',
                                'captured', skeldir.major_units((x ->> 'captured')::numeric, cur),
                                'refunded', skeldir.major_units((x ->> 'refunded')::numeric, cur),
                                'net', skeldir.major_units((x ->> 'net')::numeric, cur)) ORDER BY o), '[]')
                         FROM jsonb_array_elements(daily) WITH ORDINALITY AS d(x, o)),
    'anomalies', anomalies,
    'top_channels', top_channels,
    'findings', findings);
END
$function$;

-- migrate:down
-- (skeldir.llm_investigation_facts keeps this body; 20261126007250 defines the one before.)
SELECT 1;
