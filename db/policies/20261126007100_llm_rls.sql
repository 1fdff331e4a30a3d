-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.llm_api_calls');
SELECT skeldir.isolate_by_tenant('skeldir.llm_monthly_costs');
SELECT skeldir.isolate_by_tenant('skeldir.llm_budget_caps');
SELECT skeldir.isolate_by_tenant('skeldir.investigations');
SELECT skeldir.isolate_by_tenant('skeldir.budget_optimization_jobs');
SELECT skeldir.isolate_by_tenant('skeldir.explanation_cache');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.llm_api_calls;
DROP POLICY tenant_isolation ON skeldir.llm_monthly_costs;
DROP POLICY tenant_isolation ON skeldir.llm_budget_caps;
DROP POLICY tenant_isolation ON skeldir.investigations;
DROP POLICY tenant_isolation ON skeldir.budget_optimization_jobs;
DROP POLICY tenant_isolation ON skeldir.explanation_cache;
ALTER TABLE skeldir.llm_api_calls NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.llm_monthly_costs NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.llm_budget_caps NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.investigations NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.budget_optimization_jobs NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE skeldir.explanation_cache NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
