-- migrate:up
-- The deterministic model explains every entity type of the contract:
-- budget_recommendation (the split a completed optimization made) and
-- reconciliation_discrepancy (a ghost or discrepant order) join
-- channel_performance and attribution_score, each stating only figures its
-- facts cite. Every explanation is 150 to 500 characters (the contract's
-- bounds: 100 to 500 on /api/v1/explain, 150 to 500 on
-- /api/attribution/explain): a purchase credited to many channels lists
-- each model's largest shares that fit, and a text still too long keeps
-- whole sentences. An investigation's synthesis without captures says its
-- refund rate is n/a, not "n/a%". Budget optimizations as in
-- 20261202003100.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
DECLARE
  f jsonb := prompt -> 'facts';
  cur text := f #>> '{scope,currency}';
  span text := format('from %s to %s', coalesce(f #>> '{scope,start_date}', 'the first record'),
                      coalesce(f #>> '{scope,end_date}', 'the latest'));
  txt text;
  k integer;
  n integer;
  kept text;
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
    IF coalesce(f -> 'models', '{}') = '{}' THEN
      txt := format('This %s %s purchase of %s, arriving through %s, has no attribution credits yet: the recompute of its '
                    'day has not run, so no model has split its revenue among the channels that led to it.',
                    f ->> 'revenue', f ->> 'currency', f ->> 'occurred_on', f ->> 'channel');
    ELSE
      -- Each model's largest shares, as many per model as fit in 500 characters.
      FOR k IN REVERSE 3 .. 1 LOOP
        SELECT format('This %s %s purchase of %s, arriving through %s, is credited by model as follows%s: %s. '
                      'Each model''s shares sum exactly to the purchase''s revenue.',
                      f ->> 'revenue', f ->> 'currency', f ->> 'occurred_on', f ->> 'channel',
                      CASE WHEN bool_or(m.total > k) THEN ' (largest shares)' ELSE '' END,
                      string_agg(m.key || ' ' || m.parts, '; ' ORDER BY m.key))
          INTO txt
          FROM (SELECT e.key, jsonb_array_length(e.value) AS total,
                       (SELECT string_agg(format('%s %s (%s%%)', a ->> 'channel', a ->> 'amount', a ->> 'ratio_pct'),
                                          ', ' ORDER BY o)
                          FROM jsonb_array_elements(e.value) WITH ORDINALITY AS x(a, o)
                         WHERE o <= k) AS parts
                  FROM jsonb_each(f -> 'models') AS e) AS m;
        EXIT WHEN char_length(txt) <= 500;
      END LOOP;
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'budget_recommendation' THEN
    n := (f ->> 'channels')::integer;
    IF n = 0 THEN
      txt := format('No paid channel had revenue attributed under the %s model %s, so this recommendation for %s could not '
                    'split the %s %s budget on evidence: %s %s of it stays unallocated.',
                    f #>> '{scope,model}', span, f ->> 'optimization_goal', f ->> 'total_budget', cur,
                    f ->> 'unallocated_budget', cur);
    ELSE
      -- The largest allocations, as many as fit in 500 characters.
      FOR k IN REVERSE n .. 1 LOOP
        SELECT format('This recommendation for %s splits the %s %s budget across %s paid channel(s) by their shares of the '
                      '%s %s of revenue attributed to them under the %s model %s: %s%s.',
                      f ->> 'optimization_goal', f ->> 'total_budget', cur, n, f ->> 'attributed_revenue_total', cur,
                      f #>> '{scope,model}', span,
                      string_agg(format('%s %s %s (%s%%)', a ->> 'channel', a ->> 'recommended_budget', cur,
                                        a ->> 'revenue_share_pct'), ', ' ORDER BY o),
                      CASE WHEN k < n THEN ', the largest among them' ELSE '' END)
          INTO txt
          FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o)
         WHERE o <= k;
        IF (f ->> 'unallocated_budget')::numeric > 0 THEN
          txt := txt || format(' %s %s stays unallocated: no channel with attributed revenue had room under its maximum.',
                               f ->> 'unallocated_budget', cur);
        END IF;
        txt := txt || CASE WHEN (f -> 'spend_data_available') = 'true'
                           THEN ' Reported ad spend gives each channel''s current budget and ROAS.'
                           ELSE ' No ad spend is reported, so current budgets and ROAS are unknown.' END;
        EXIT WHEN char_length(txt) <= 500;
      END LOOP;
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'reconciliation_discrepancy' THEN
    txt := format('%s order "%s" of %s claims %s %s', f ->> 'shop_name',
                  CASE WHEN char_length(f ->> 'order_id') > 40 THEN left(f ->> 'order_id', 37) || '...' ELSE f ->> 'order_id' END,
                  f ->> 'ordered_on', f ->> 'claimed', f ->> 'currency');
    IF f ->> 'outcome' = 'ghost' THEN
      txt := txt || format(', and no payment processor captured it: a ghost order, %s %s short of the claim%s, as the '
                           'reconciliation run that finished on %s found. The shop counts money its processors never '
                           'received; check whether the order was paid at all.',
                           f ->> 'gap', f ->> 'currency',
                           CASE WHEN f ->> 'gap_pct' IS NOT NULL THEN format(' (%s%%)', f ->> 'gap_pct') ELSE '' END,
                           f ->> 'run_finished_on');
    ELSE
      txt := txt || format(', but %s captured %s %s for it: %s %s %s than claimed%s, as the reconciliation run that '
                           'finished on %s found. %s',
                           f ->> 'processor_name', f ->> 'captured', f ->> 'currency', f ->> 'gap', f ->> 'currency',
                           CASE WHEN (f -> 'captured_short') = 'true' THEN 'less' ELSE 'more' END,
                           CASE WHEN f ->> 'gap_pct' IS NOT NULL THEN format(', a discrepancy of %s%%', f ->> 'gap_pct') ELSE '' END,
                           f ->> 'run_finished_on',
                           CASE WHEN (f -> 'captured_short') = 'true'
                                THEN 'A refund or chargeback only the processor knows of, a partial capture or one in another currency would explain the gap.'
                                ELSE 'A second charge, or a capture of another order booked under this one, would explain the excess.' END);
    END IF;
  WHEN feature = 'investigation' THEN
    txt := format('%s, net revenue was %s %s (captured %s, refunded %s; refund rate %s) over %s day(s). ',
                  upper(left(span, 1)) || substr(span, 2), f #>> '{totals,net}', cur, f #>> '{totals,captured}', f #>> '{totals,refunded}',
                  coalesce((f #>> '{totals,refund_rate_pct}') || '%', 'n/a: nothing captured'), f ->> 'days');
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
  -- An explanation is 150 to 500 characters (the contract's bounds for
  -- both explain paths): whole sentences only when a text runs long, and a
  -- closing sentence without figures when one is short.
  IF feature = 'explanation' THEN
    WHILE char_length(txt) > 500 LOOP
      kept := substring(txt FROM '^(.*\.) ');
      EXIT WHEN kept IS NULL;
      txt := kept;
    END LOOP;
    IF char_length(txt) > 500 THEN
      txt := substring(left(txt, 497) FROM '^(.*) ') || '...';
    END IF;
    IF char_length(txt) < 150 THEN
      txt := txt || ' These are the tenant''s own records as Skeldir holds them; no language model has reworded them.';
    END IF;
  END IF;
  RETURN jsonb_build_object('text', txt);
END
$function$;

-- migrate:down
-- (skeldir.llm_deterministic_v1 keeps this body; 20261202003100 defines the one before.)
SELECT 1;
