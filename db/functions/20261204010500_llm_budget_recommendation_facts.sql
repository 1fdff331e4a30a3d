-- migrate:up
-- The facts of a budget_recommendation explanation: the recommendation a
-- completed budget optimization made, as it was made (its stored result,
-- not a recomputation), for the contract's
-- GET /api/v1/explain/budget_recommendation/{entity_id}, whose entity_id is
-- the optimization's id (the job_id POST /api/budget/optimize answers).
-- Every number the generator states is cited. An optimization that is not
-- complete has no recommendation yet, so there is nothing to explain: a 404
-- (no_data_found) saying whether it is still running or failed, since the
-- contract's explain operation answers 400, 401, 404 or 500 and no 409.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_budget_recommendation_facts(budget_optimization_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  b skeldir.budget_optimization_jobs;
  standing text;
  failure text;
  res jsonb;
  cur text;
  allocations jsonb;
BEGIN
  SELECT * INTO b FROM skeldir.budget_optimization_jobs AS x
   WHERE x.tenant_id = (SELECT skeldir.current_tenant_id()) AND x.id = budget_optimization_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no budget optimization %', budget_optimization_id USING ERRCODE = 'no_data_found';
  END IF;
  SELECT s.status, s.error INTO standing, failure FROM skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id) AS s;
  IF standing = 'failed' THEN
    RAISE EXCEPTION 'budget optimization % failed (%), so there is no recommendation to explain', b.id, failure
      USING ERRCODE = 'no_data_found';
  ELSIF standing <> 'complete' THEN
    RAISE EXCEPTION 'budget optimization % is still running: its recommendation can be explained once GET /api/budget/recommendations/% answers complete',
                    b.id, b.id
      USING ERRCODE = 'no_data_found';
  END IF;
  res := b.result;
  cur := res #>> '{scope,currency}';
  SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'channel', a ->> 'channel', 'recommended_budget', a -> 'recommended_budget',
           'revenue_share_pct', a -> 'revenue_share_pct', 'attributed_revenue', a -> 'attributed_revenue',
           'current_budget', a -> 'current_budget', 'expected_roas', a -> 'expected_roas'))
           ORDER BY o), '[]')
    INTO allocations
    FROM jsonb_array_elements(coalesce(res -> 'allocations', '[]')) WITH ORDINALITY AS x(a, o);
  RETURN jsonb_build_object(
    'entity_type', 'budget_recommendation',
    'budget_optimization_id', b.id,
    'scope', res -> 'scope',
    'optimization_goal', res -> 'optimization_goal',
    'total_budget', res -> 'total_budget',
    'attributed_revenue_total', res -> 'attributed_revenue_total',
    'unallocated_budget', res -> 'unallocated_budget',
    'spend_data_available', coalesce(res -> 'spend_data_available', 'false'),
    'channels', jsonb_array_length(allocations),
    'allocations', allocations,
    'confidence', CASE WHEN jsonb_array_length(allocations) = 0 THEN 'low'
                       WHEN (res -> 'spend_data_available') = 'true' THEN 'high' ELSE 'medium' END,
    'citations', jsonb_build_array(
        jsonb_build_object('metric', 'total_budget', 'value', res -> 'total_budget', 'unit', cur,
                           'source', 'budget_optimization_jobs.inputs'),
        jsonb_build_object('metric', 'paid_channels_allocated', 'value', jsonb_array_length(allocations),
                           'source', 'budget_optimization_jobs.result'),
        jsonb_build_object('metric', 'paid_attributed_revenue', 'value', res -> 'attributed_revenue_total', 'unit', cur,
                           'source', 'budget_optimization_jobs.result'),
        jsonb_build_object('metric', 'unallocated_budget', 'value', res -> 'unallocated_budget', 'unit', cur,
                           'source', 'budget_optimization_jobs.result'))
      || (SELECT coalesce(jsonb_agg(c ORDER BY o, k), '[]')
            FROM jsonb_array_elements(allocations) WITH ORDINALITY AS x(a, o),
                 LATERAL (VALUES
                   (1, jsonb_build_object('metric', (a ->> 'channel') || '_recommended_budget', 'value', a -> 'recommended_budget',
                                          'unit', cur, 'source', 'budget_optimization_jobs.result')),
                   (2, jsonb_build_object('metric', (a ->> 'channel') || '_revenue_share_pct', 'value', a -> 'revenue_share_pct',
                                          'unit', '%', 'source', 'budget_optimization_jobs.result'))) AS v(k, c))
      -- What the optimization itself cited: each channel's attributed revenue and reported spend.
      || (SELECT coalesce(jsonb_agg(c ORDER BY o), '[]')
            FROM jsonb_array_elements(coalesce(res -> 'citations', '[]')) WITH ORDINALITY AS x(c, o)
           WHERE jsonb_typeof(c -> 'value') = 'number'));
END
$$;

COMMENT ON FUNCTION skeldir.llm_budget_recommendation_facts(uuid) IS
  'Facts of a budget_recommendation explanation: a completed optimization''s stored recommendation, cited; 404 before it completes.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_budget_recommendation_facts(uuid);
