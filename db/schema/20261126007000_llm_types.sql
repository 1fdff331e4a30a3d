-- migrate:up
-- The closed vocabularies of the LLM-backed features (SPEC §6.3): which
-- feature a call serves, what the budget check decided before it, what a
-- tenant wants when its monthly cap would be exceeded, and where an
-- asynchronous LLM job stands.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.llm_feature AS ENUM ('explanation', 'investigation', 'budget_optimization');
CREATE TYPE skeldir.llm_decision AS ENUM ('allow', 'block', 'fallback');
CREATE TYPE skeldir.llm_on_exceed AS ENUM ('block', 'fallback');
CREATE TYPE skeldir.llm_job_status AS ENUM ('pending', 'running', 'completed', 'failed');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TYPE skeldir.llm_job_status;
DROP TYPE skeldir.llm_on_exceed;
DROP TYPE skeldir.llm_decision;
DROP TYPE skeldir.llm_feature;
