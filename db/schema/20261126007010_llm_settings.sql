-- migrate:up
-- Installation-wide LLM defaults, one row (inserted with the deterministic
-- model, which it names): the model a tenant's calls use, the free model
-- they fall back to, the monthly cap and over-cap behaviour of a tenant
-- without a row in llm_budget_caps, and how long an explanation stays
-- cached. A table rather than a GUC so that every session and every
-- dispatcher reads the same value, and changing it is an audited UPDATE.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.llm_settings (
  singleton                  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  default_model              text NOT NULL REFERENCES skeldir.llm_models (model),
  fallback_model             text NOT NULL REFERENCES skeldir.llm_models (model),
  default_monthly_cap_micros bigint NOT NULL CHECK (default_monthly_cap_micros >= 0),
  default_on_exceed          skeldir.llm_on_exceed NOT NULL,
  explanation_ttl            interval NOT NULL CHECK (explanation_ttl > interval '0')
);

COMMENT ON TABLE skeldir.llm_settings IS
  'LLM defaults: model, fallback model, monthly cap (micro-USD) and over-cap behaviour for tenants without a cap row, explanation cache lifetime.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.llm_settings;
