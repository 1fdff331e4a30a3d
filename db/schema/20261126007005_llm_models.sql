-- migrate:up
-- The provider seam (SPEC §6.3): every model a call may go to, with the SQL
-- function that answers for it and its price. A real provider is plugged in
-- by adding a row whose body reaches it; skeldir.llm_call only ever goes
-- through this table. A shared reference table (no tenant_id).
--
-- A body is skeldir.<fn>(feature skeldir.llm_feature, prompt jsonb) RETURNS
-- jsonb, an object with at least a "text" string. Prices are integer
-- micro-USD per 1,000 tokens, so costs add up exactly.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.llm_models (
  model                 text PRIMARY KEY CHECK (model ~ '^[a-z0-9][a-z0-9._-]*$'),
  provider              text NOT NULL,
  body                  regproc NOT NULL,
  micros_per_1k_tokens  bigint NOT NULL CHECK (micros_per_1k_tokens >= 0),
  -- What the budget check assumes a completion may cost, before the call.
  max_completion_tokens integer NOT NULL CHECK (max_completion_tokens > 0)
);

COMMENT ON TABLE skeldir.llm_models IS
  'Models an LLM call may use: provider, answering SQL function, price in micro-USD per 1k tokens.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.llm_models;
