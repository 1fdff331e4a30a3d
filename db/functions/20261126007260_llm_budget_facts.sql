-- migrate:up
-- Budget recommendations without ad-spend data. Skeldir knows what each
-- channel earned (attributed revenue), not what it cost, so ROAS, CPA and
-- current budgets are unknown, and the output says so rather than inventing
-- them (current_budget and expected_roas are null). What it can defend: split
-- the budget across the PAID channels in proportion to the revenue
-- attributed to them in the window, after giving each channel its minimum
-- and never more than its maximum (water-filling: a channel that would pass
-- its maximum is held there and the rest is shared again by the others).
-- Every goal ranks channels by attributed revenue, the one measure there is.
-- Amounts are split in the currency's minor units, leftovers by largest
-- remainder, so the recommendations add up to the budget exactly (unless
-- maximums leave some unallocated, which is reported).
SET LOCAL ROLE skeldir_owner;

-- Validates and normalizes the inputs of a budget optimization (the
-- contract's request body, plus optional model and currency).
CREATE FUNCTION skeldir.llm_budget_inputs(total_budget numeric, optimization_goal text, constraints jsonb,
                                          options jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  c jsonb := coalesce(constraints, '{}');
  scope jsonb;
  bad text;
BEGIN
  IF total_budget IS NULL OR total_budget < 1000 THEN
    RAISE EXCEPTION 'total_budget must be at least 1000' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'total_budget';
  END IF;
  IF optimization_goal IS NULL OR optimization_goal NOT IN ('maximize_roas', 'maximize_revenue', 'minimize_cpa') THEN
    RAISE EXCEPTION 'optimization_goal must be one of maximize_roas, maximize_revenue, minimize_cpa'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'optimization_goal';
  END IF;
  IF jsonb_typeof(c) <> 'object' THEN
    RAISE EXCEPTION 'constraints must be a JSON object' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  scope := skeldir.llm_scope(jsonb_strip_nulls(coalesce(options, '{}') || jsonb_build_object('date_range', c -> 'date_range')));
  FOREACH bad IN ARRAY ARRAY['channel_minimums', 'channel_maximums'] LOOP
    IF jsonb_typeof(coalesce(c -> bad, '{}')) <> 'object' THEN
      RAISE EXCEPTION '% must be an object of channel: amount', bad USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
    END IF;
  END LOOP;
  SELECT string_agg(format('%s.%s', l.key, k.key), ', ' ORDER BY l.key, k.key) INTO bad
    FROM (VALUES ('channel_minimums'), ('channel_maximums')) AS l(key)
   CROSS JOIN LATERAL jsonb_each(coalesce(c -> l.key, '{}')) AS k
   WHERE jsonb_typeof(k.value) <> 'number' OR k.value::text::numeric < 0
      OR NOT EXISTS (SELECT FROM skeldir.channel_taxonomy AS t WHERE t.code = k.key AND t.is_paid);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'constraints must map paid channels to non-negative amounts: % do not', bad
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  SELECT string_agg(mn.key, ', ' ORDER BY mn.key) INTO bad
    FROM jsonb_each(coalesce(c -> 'channel_minimums', '{}')) AS mn
    JOIN jsonb_each(coalesce(c -> 'channel_maximums', '{}')) AS mx ON mx.key = mn.key
   WHERE mn.value::text::numeric > mx.value::text::numeric;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'minimum above maximum for %', bad USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  IF (SELECT coalesce(sum(m.value::text::numeric), 0) FROM jsonb_each(coalesce(c -> 'channel_minimums', '{}')) AS m)
     > total_budget THEN
    RAISE EXCEPTION 'the channel minimums add up to more than total_budget' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN jsonb_build_object(
    'total_budget', round(total_budget, (SELECT x.exponent FROM skeldir.currencies AS x WHERE x.code = scope ->> 'currency')),
    'optimization_goal', optimization_goal,
    'channel_minimums', coalesce(c -> 'channel_minimums', '{}'),
    'channel_maximums', coalesce(c -> 'channel_maximums', '{}'),
    'scope', scope);
END
$$;

-- inputs: what skeldir.llm_budget_inputs returned.
CREATE FUNCTION skeldir.llm_budget_facts(inputs jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  scope jsonb := inputs -> 'scope';
  cur text := scope ->> 'currency';
  unit numeric := power(10::numeric, (SELECT x.exponent FROM skeldir.currencies AS x WHERE x.code = cur));
  total bigint := round((inputs ->> 'total_budget')::numeric * unit);
  ch text[];
  w numeric[];
  lo bigint[];
  hi bigint[];
  alloc bigint[];
  active boolean[];
  remaining bigint;
  pool bigint;
  sum_w numeric;
  capped boolean;
  given bigint;
  i integer;
  revenue_total numeric;
BEGIN
  -- Candidates: paid channels with attributed revenue in the window, and
  -- channels given a minimum; weight = attributed revenue (minor units).
  SELECT array_agg(x.channel ORDER BY x.channel), array_agg(x.cents ORDER BY x.channel),
         array_agg(round(coalesce((inputs #>> ARRAY['channel_minimums', x.channel])::numeric, 0) * unit)::bigint ORDER BY x.channel),
         array_agg(least(total, round(coalesce((inputs #>> ARRAY['channel_maximums', x.channel])::numeric * unit, total))::bigint)
                   ORDER BY x.channel)
    INTO ch, w, lo, hi
    FROM (SELECT t.code AS channel, coalesce(r.cents, 0) AS cents
            FROM skeldir.channel_taxonomy AS t
            LEFT JOIN (SELECT a.channel, sum(a.allocated_cents) AS cents
                         FROM skeldir.attribution_allocations AS a
                        WHERE a.tenant_id = (SELECT skeldir.current_tenant_id())
                          AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
                          AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
                        GROUP BY a.channel) AS r ON r.channel = t.code
           WHERE t.is_paid AND (r.cents > 0 OR inputs -> 'channel_minimums' ? t.code)) AS x;
  ch := coalesce(ch, '{}');
  revenue_total := coalesce((SELECT sum(v) FROM unnest(w) AS v), 0);
  alloc := coalesce(lo, '{}');
  remaining := total - coalesce((SELECT sum(v) FROM unnest(lo) AS v), 0);
  active := ARRAY(SELECT w[k] > 0 AND alloc[k] < hi[k] FROM generate_subscripts(ch, 1) AS k ORDER BY k);

  LOOP
    sum_w := (SELECT sum(w[k]) FROM generate_subscripts(ch, 1) AS k WHERE active[k]);
    EXIT WHEN remaining = 0 OR sum_w IS NULL;
    pool := remaining;
    capped := false;
    FOR i IN 1 .. cardinality(ch) LOOP
      IF active[i] AND alloc[i] + pool * w[i] / sum_w >= hi[i] THEN
        remaining := remaining - (hi[i] - alloc[i]);
        alloc[i] := hi[i];
        active[i] := false;
        capped := true;
      END IF;
    END LOOP;
    CONTINUE WHEN capped;
    -- Nobody reaches a maximum: floors, then the leftover units one each to
    -- the largest remainders (ties: channel code, the array's order).
    given := 0;
    FOR i IN 1 .. cardinality(ch) LOOP
      IF active[i] THEN
        alloc[i] := alloc[i] + floor(pool * w[i] / sum_w);
        given := given + floor(pool * w[i] / sum_w);
      END IF;
    END LOOP;
    FOR i IN SELECT k FROM generate_subscripts(ch, 1) AS k
              WHERE active[k]
              ORDER BY pool * w[k] / sum_w - floor(pool * w[k] / sum_w) DESC, k
              LIMIT pool - given LOOP
      alloc[i] := alloc[i] + 1;
    END LOOP;
    remaining := 0;
  END LOOP;

  RETURN jsonb_build_object(
    'scope', scope,
    'total_budget', inputs -> 'total_budget',
    'optimization_goal', inputs ->> 'optimization_goal',
    'spend_data_available', false,
    'note', 'No ad-spend data is ingested: current budgets, ROAS and CPA are unknown. The budget is split across paid '
            'channels in proportion to the revenue attributed to them, within the given minimums and maximums.',
    'attributed_revenue_total', skeldir.major_units(revenue_total, cur),
    'unallocated_budget', skeldir.major_units(remaining, cur),
    'allocations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'channel', ch[k],
                              'current_budget', NULL,
                              'recommended_budget', skeldir.major_units(alloc[k], cur),
                              'expected_roas', NULL,
                              'attributed_revenue', skeldir.major_units(w[k], cur),
                              'revenue_share_pct', CASE WHEN revenue_total > 0 THEN round(100 * w[k] / revenue_total, 1) ELSE 0 END)
                            ORDER BY alloc[k] DESC, ch[k]), '[]')
                      FROM generate_subscripts(ch, 1) AS k),
    'citations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'metric', ch[k] || '_attributed_revenue', 'value', skeldir.major_units(w[k], cur), 'unit', cur,
                            'source', 'attribution_allocations.allocated_cents') ORDER BY ch[k]), '[]')
                    FROM generate_subscripts(ch, 1) AS k));
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_budget_facts(jsonb);
DROP FUNCTION skeldir.llm_budget_inputs(numeric, text, jsonb, jsonb);
