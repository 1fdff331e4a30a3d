-- migrate:up
-- The facts an investigation reports, from the revenue ledger (money as it
-- was captured and refunded) and attribution, within the scope of its
-- context (dates, channels: a ledger row counts for the channel of the event
-- that booked it):
--   * revenue by UTC day, captured, refunded (refunds and chargebacks) and
--     net, with days without money filled in as zeros (at most the last 366
--     days of the window that hold data);
--   * the refund rate;
--   * anomalies: a day whose net is 2 or more population standard deviations
--     from the daily mean (revenue_spike / revenue_drop), and a day with
--     refunds whose refund rate is at least twice the window's (refund_spike);
--   * the channels that earned the most attributed revenue.
-- Findings follow the contract's shape, each with its evidence.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_investigation_facts(question text, context jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
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
                        WHEN 'refund_spike' THEN format('%s: refunds of %s %s, a refund rate of %s%%, at least twice the window''s.',
                                                        a ->> 'day', a ->> 'refunded', cur, coalesce(a ->> 'refund_rate_pct', 'n/a (no captures)'))
                        ELSE format('%s: net revenue of %s %s, %s standard deviations from the daily mean of %s %s.',
                                    a ->> 'day', a ->> 'net', cur, a ->> 'z_score', skeldir.major_units(round(stats.mean), cur), cur) END,
           'evidence', CASE a ->> 'kind'
                         WHEN 'refund_spike' THEN jsonb_build_array(
                           jsonb_build_object('metric', 'refunded_revenue_' || (a ->> 'day'), 'value', a -> 'refunded', 'source', 'revenue_ledger.amount_cents'),
                           jsonb_build_object('metric', 'refund_rate_pct_' || (a ->> 'day'), 'value', a -> 'refund_rate_pct', 'source', 'revenue_ledger.amount_cents'))
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
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_investigation_facts(text, jsonb);
