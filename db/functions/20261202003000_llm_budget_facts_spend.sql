-- migrate:up
-- Budget recommendations with ad spend (PUT /api/spend): a channel's
-- current_budget is its reported spend over the 30 days up to the window's
-- end, its expected_roas the revenue attributed to it in the window over its
-- spend in the window (two decimals; null without spend), and each spend
-- figure is cited. The split itself is unchanged: by attributed revenue,
-- within the minimums and maximums.
SET LOCAL ROLE skeldir_owner;

-- inputs: what skeldir.llm_budget_inputs returned.
CREATE OR REPLACE FUNCTION skeldir.llm_budget_facts(inputs jsonb) RETURNS jsonb
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
  spend jsonb;
  spend_known boolean;
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
  -- Each channel's ad spend in the 30 days up to the window's end, and in
  -- the window (for ROAS), in the currency.
  SELECT coalesce(jsonb_object_agg(s.channel, jsonb_build_object('last_30_days', s.recent, 'window', s.in_window))
                    FILTER (WHERE coalesce(s.recent, s.in_window) IS NOT NULL), '{}')
    INTO spend
    FROM (SELECT x.channel,
                 sum(x.amount_cents) FILTER (WHERE x.day >= (skeldir.llm_scope_to(scope) AT TIME ZONE 'UTC')::date - 30) AS recent,
                 sum(x.amount_cents) FILTER (WHERE x.day >= (skeldir.llm_scope_from(scope) AT TIME ZONE 'UTC')::date) AS in_window
            FROM skeldir.ad_spend AS x
           WHERE x.currency = cur AND x.day < (skeldir.llm_scope_to(scope) AT TIME ZONE 'UTC')::date
           GROUP BY x.channel) AS s;
  spend_known := spend <> '{}';
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
    'spend_data_available', spend_known,
    'note', CASE WHEN spend_known
                 THEN 'current_budget is each channel''s reported ad spend over the 30 days up to the window''s end, '
                      'expected_roas its attributed revenue over its spend in the window. The budget is split across '
                      'paid channels in proportion to the revenue attributed to them, within the given minimums and maximums.'
                 ELSE 'No ad spend is reported (PUT /api/spend): current budgets and ROAS are unknown. The budget is split '
                      'across paid channels in proportion to the revenue attributed to them, within the given minimums '
                      'and maximums.' END,
    'attributed_revenue_total', skeldir.major_units(revenue_total, cur),
    'unallocated_budget', skeldir.major_units(remaining, cur),
    'allocations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'channel', ch[k],
                              'current_budget', skeldir.major_units((spend #>> ARRAY[ch[k], 'last_30_days'])::bigint, cur),
                              'recommended_budget', skeldir.major_units(alloc[k], cur),
                              'expected_roas', CASE WHEN (spend #>> ARRAY[ch[k], 'window'])::bigint > 0
                                                    THEN round(w[k] / (spend #>> ARRAY[ch[k], 'window'])::bigint, 2) END,
                              'attributed_revenue', skeldir.major_units(w[k], cur),
                              'revenue_share_pct', CASE WHEN revenue_total > 0 THEN round(100 * w[k] / revenue_total, 1) ELSE 0 END)
                            ORDER BY alloc[k] DESC, ch[k]), '[]')
                      FROM generate_subscripts(ch, 1) AS k),
    'citations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'metric', ch[k] || '_attributed_revenue', 'value', skeldir.major_units(w[k], cur), 'unit', cur,
                            'source', 'attribution_allocations.allocated_cents') ORDER BY ch[k]), '[]')
                    FROM generate_subscripts(ch, 1) AS k)
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'metric', ch[k] || '_ad_spend_30d',
                            'value', skeldir.major_units((spend #>> ARRAY[ch[k], 'last_30_days'])::bigint, cur), 'unit', cur,
                            'source', 'ad_spend.amount_cents') ORDER BY ch[k]), '[]')
                       FROM generate_subscripts(ch, 1) AS k WHERE spend #>> ARRAY[ch[k], 'last_30_days'] IS NOT NULL));
END
$$;

-- migrate:down
-- (skeldir.llm_budget_facts keeps this body; 20261126007260 defines the one before.)
SELECT 1;
