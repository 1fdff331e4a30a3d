-- migrate:up
-- Per tenant and UTC month, the sum of its llm_api_calls rows, kept in step
-- by a trigger on that table (same transaction). The budget check reads and
-- locks this row, so concurrent calls of one tenant cannot overspend its cap
-- together.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.llm_monthly_costs (
  tenant_id         uuid NOT NULL REFERENCES skeldir.tenants (id),
  month             date NOT NULL CHECK (month = date_trunc('month', month)::date),
  calls             bigint NOT NULL DEFAULT 0 CHECK (calls >= 0),
  blocked_calls     bigint NOT NULL DEFAULT 0 CHECK (blocked_calls >= 0),
  fallback_calls    bigint NOT NULL DEFAULT 0 CHECK (fallback_calls >= 0),
  prompt_tokens     bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
  completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
  cost_micros       bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, month)
);

COMMENT ON TABLE skeldir.llm_monthly_costs IS
  'LLM calls, tokens and cost (micro-USD) per tenant and UTC month; the sum of llm_api_calls.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.llm_monthly_costs;
