-- migrate:up
-- Analysts read the LLM audit, costs, caps and results under RLS; the model
-- list and settings are the operators'.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.llm_api_calls, skeldir.llm_monthly_costs, skeldir.llm_budget_caps,
                skeldir.investigations, skeldir.budget_optimization_jobs, skeldir.explanation_cache
   TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.llm_api_calls, skeldir.llm_monthly_costs, skeldir.llm_budget_caps,
                 skeldir.investigations, skeldir.budget_optimization_jobs, skeldir.explanation_cache
  FROM skeldir_readonly;
