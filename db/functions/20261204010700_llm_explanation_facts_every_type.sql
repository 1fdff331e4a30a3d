-- migrate:up
-- Every entity type of the contract's explain operation is explained:
-- channel_performance by channel id (the UUID skeldir.channel_id gives it)
-- or code, attribution_score by purchase event id, budget_recommendation by
-- budget optimization id (the job_id of POST /api/budget/optimize) and
-- reconciliation_discrepancy by reconciliation result id. An id that is not
-- a UUID where one is needed is a 400 naming entity_id; a UUID that names
-- nothing of the tenant's, a 404. budget_recommendation and
-- reconciliation_discrepancy answered 501 before.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.llm_explanation_facts(entity_type text, entity_id text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  id uuid;
BEGIN
  IF entity_type IS NULL OR entity_type NOT IN ('attribution_score', 'budget_recommendation', 'reconciliation_discrepancy',
                                                'channel_performance') THEN
    RAISE EXCEPTION 'entity_type must be one of: attribution_score, budget_recommendation, reconciliation_discrepancy, channel_performance'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_type';
  END IF;
  IF entity_type = 'channel_performance' THEN
    RETURN skeldir.llm_channel_performance_facts(skeldir.channel_code(entity_id), skeldir.llm_scope(options));
  END IF;
  BEGIN
    id := entity_id::uuid;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION '% explanations take a UUID entity_id (%), not %', entity_type,
      CASE entity_type WHEN 'attribution_score' THEN 'a purchase event id'
                       WHEN 'budget_recommendation' THEN 'the job_id of POST /api/budget/optimize'
                       ELSE 'a discrepancy id of GET /api/reconciliation/platform/{platform_id}' END,
      quote_literal(entity_id)
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id';
  END;
  CASE entity_type
  WHEN 'attribution_score' THEN
    RETURN skeldir.llm_attribution_score_facts(id);
  WHEN 'budget_recommendation' THEN
    RETURN skeldir.llm_budget_recommendation_facts(id);
  ELSE
    RETURN skeldir.llm_reconciliation_discrepancy_facts(id);
  END CASE;
END
$$;

-- migrate:down
-- (skeldir.llm_explanation_facts keeps this body; 20261126007240 defines the
-- one before, which raised feature_not_supported for two of the types.)
SELECT 1;
