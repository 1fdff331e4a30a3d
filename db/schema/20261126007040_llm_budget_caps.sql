-- migrate:up
-- A tenant's own LLM budget: its monthly cap in micro-USD, whether a call
-- that would exceed it is blocked or falls back to the free model, and the
-- model its calls use. A tenant without a row gets llm_settings' defaults.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.llm_budget_caps (
  tenant_id          uuid PRIMARY KEY REFERENCES skeldir.tenants (id),
  monthly_cap_micros bigint NOT NULL CHECK (monthly_cap_micros >= 0),
  on_exceed          skeldir.llm_on_exceed NOT NULL DEFAULT 'fallback',
  model              text REFERENCES skeldir.llm_models (model),  -- NULL: the default model
  updated_at         timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE skeldir.llm_budget_caps IS
  'Per-tenant LLM monthly cap (micro-USD), over-cap behaviour and model; no row means llm_settings defaults.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.llm_budget_caps;
