-- migrate:up
-- The deterministic model's budget synthesis cites ad spend when the facts
-- carry it (each channel's spend over the last 30 days and its ROAS), and
-- says there is none otherwise, as before.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  f jsonb := prompt -> 'facts';
  cur text := f #>> '{scope,currency}';
  span text := format('from %s to %s', coalesce(f #>> '{scope,start_date}', 'the first record'),
                      coalesce(f #>> '{scope,end_date}', 'the latest'));
  txt text;
BEGIN
  IF f IS NULL OR jsonb_typeof(f) <> 'object' THEN
    RAISE EXCEPTION 'deterministic-v1: the prompt has no facts object' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  CASE
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'channel_performance' THEN
    txt := format('%s was credited %s %s of attributed revenue under the %s model %s: %s%% of the %s %s attributed '
                  'across %s channel(s), from %s purchase(s), ranking #%s.',
                  f ->> 'channel_name', f ->> 'revenue', cur, f #>> '{scope,model}', span,
                  f ->> 'revenue_share_pct', f ->> 'total_revenue', cur, f ->> 'channels_with_revenue',
                  f ->> 'purchases', f ->> 'rank');
    IF f ->> 'top_channel' IS DISTINCT FROM f ->> 'channel' AND f ->> 'top_channel' IS NOT NULL THEN
      txt := txt || format(' The leading channel, %s, was credited %s %s.', f ->> 'top_channel_name',
                           f ->> 'top_channel_revenue', cur);
    END IF;
    IF (f ->> 'purchases')::bigint < 5 THEN
      txt := txt || ' So few purchases make this a weak signal.';
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'attribution_score' THEN
    SELECT format('This %s %s purchase of %s, arriving through %s, is credited by model as follows: %s. '
                  'Each model''s shares sum exactly to the purchase''s revenue.',
                  f ->> 'revenue', f ->> 'currency', f ->> 'occurred_on', f ->> 'channel',
                  string_agg(m.key || ' ' || m.parts, '; ' ORDER BY m.key))
      INTO txt
      FROM (SELECT e.key, (SELECT string_agg(format('%s %s (%s%%)', a ->> 'channel', a ->> 'amount', a ->> 'ratio_pct'),
                                             ', ' ORDER BY o)
                             FROM jsonb_array_elements(e.value) WITH ORDINALITY AS x(a, o)
                            WHERE o <= 3) AS parts
              FROM jsonb_each(f -> 'models') AS e) AS m;
  WHEN feature = 'investigation' THEN
    txt := format('%s, net revenue was %s %s (captured %s, refunded %s; refund rate %s%%) over %s day(s). ',
                  upper(left(span, 1)) || substr(span, 2), f #>> '{totals,net}', cur, f #>> '{totals,captured}', f #>> '{totals,refunded}',
                  coalesce(f #>> '{totals,refund_rate_pct}', 'n/a'), f ->> 'days');
    SELECT txt || CASE WHEN count(*) = 0 THEN 'No day stood out from the daily pattern. '
                       ELSE format('%s day(s) stood out: %s. ', count(*),
                                   string_agg(format('%s (%s)', a ->> 'day', replace(a ->> 'kind', '_', ' ')), ', ' ORDER BY o)) END
      INTO txt
      FROM jsonb_array_elements(f -> 'anomalies') WITH ORDINALITY AS x(a, o);
    IF jsonb_array_length(f -> 'top_channels') > 0 THEN
      txt := txt || format('%s led attributed revenue with %s%% (%s model). ',
                           f #>> '{top_channels,0,channel}', f #>> '{top_channels,0,revenue_share_pct}',
                           f #>> '{scope,model}');
    END IF;
    txt := txt || 'These figures come from the revenue ledger and attribution; the question''s wording was not interpreted.';
  WHEN feature = 'budget_optimization' THEN
    SELECT CASE WHEN count(*) = 0
                THEN format('No paid channel has attributed revenue %s, so the %s budget cannot be split on evidence.',
                            span, f ->> 'total_budget')
                ELSE format('Of the %s budget, allocate %s.', f ->> 'total_budget',
                            string_agg(format('%s to %s (%s%% of paid attributed revenue)', a ->> 'recommended_budget',
                                              a ->> 'channel', a ->> 'revenue_share_pct'), ', ' ORDER BY o)) END
      INTO txt
      FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o);
    IF (f -> 'spend_data_available') = 'true' THEN
      SELECT txt || ' Reported ad spend over the last 30 days: '
                 || coalesce(string_agg(format('%s %s (ROAS %s)', a ->> 'channel', a ->> 'current_budget',
                                               coalesce(a ->> 'expected_roas', 'unknown')), ', ' ORDER BY o)
                               FILTER (WHERE a ->> 'current_budget' IS NOT NULL), 'none on these channels') || '.'
        INTO txt
        FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o);
      txt := txt || format(' The split follows revenue attributed under the %s model %s, for the goal %s, '
                           'within the given minimums and maximums.', f #>> '{scope,model}', span, f ->> 'optimization_goal');
    ELSE
      txt := txt || format(' No ad-spend data is available, so current budgets and ROAS are unknown: the split follows '
                           'revenue attributed under the %s model %s, for the goal %s, within the given minimums and maximums.',
                           f #>> '{scope,model}', span, f ->> 'optimization_goal');
    END IF;
  ELSE
    RAISE EXCEPTION 'deterministic-v1 cannot answer % prompts of entity type %', feature,
                    coalesce(f ->> 'entity_type', '(none)') USING ERRCODE = 'invalid_parameter_value';
  END CASE;
  RETURN jsonb_build_object('text', txt);
END
$$;

-- migrate:down
-- (skeldir.llm_deterministic_v1 keeps this body; 20261126007200 defines the one before.)
SELECT 1;
