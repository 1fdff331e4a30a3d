-- migrate:up
-- The LLM audit (SPEC §6.3): one row per request id and tenant, written by
-- skeldir.llm_call whatever the budget check decided, so a blocked call is
-- audited as surely as an answered one. The response is kept so that a
-- retried job asking again with the same request id gets the same answer
-- without a second call (or a second charge). Tokens are estimated; costs
-- are integer micro-USD. Append-only.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.llm_api_calls (
  tenant_id             uuid NOT NULL REFERENCES skeldir.tenants (id),
  request_id            uuid NOT NULL,
  feature               skeldir.llm_feature NOT NULL,
  requested_model       text NOT NULL REFERENCES skeldir.llm_models (model),
  model                 text NOT NULL REFERENCES skeldir.llm_models (model),  -- that answered, or would have
  provider              text NOT NULL,
  decision              skeldir.llm_decision NOT NULL,
  reason                text NOT NULL,
  prompt_sha256         bytea NOT NULL,
  prompt_tokens         integer NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens     integer NOT NULL CHECK (completion_tokens >= 0),
  estimated_cost_micros bigint NOT NULL CHECK (estimated_cost_micros >= 0),
  cost_micros           bigint NOT NULL CHECK (cost_micros >= 0),
  month                 date NOT NULL CHECK (month = date_trunc('month', month)::date),
  response              jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id),
  -- A blocked call reached no model: nothing came back, nothing was spent.
  CHECK ((decision = 'block') = (response IS NULL)),
  CHECK (decision <> 'block' OR (prompt_tokens = 0 AND completion_tokens = 0 AND cost_micros = 0))
);

CREATE INDEX llm_api_calls_month_idx ON skeldir.llm_api_calls (tenant_id, month);

COMMENT ON TABLE skeldir.llm_api_calls IS
  'One audit row per LLM request id: feature, model, budget decision, estimated tokens, cost (micro-USD), response; append-only.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.llm_api_calls;
