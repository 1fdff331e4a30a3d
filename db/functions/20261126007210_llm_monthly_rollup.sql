-- migrate:up
-- llm_monthly_costs is the sum of llm_api_calls because every audit row adds
-- itself to its month in the statement that writes it, and audit rows can
-- never change or go away afterwards (append-only, as the ledger is).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_add_to_month() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO skeldir.llm_monthly_costs AS m
    (tenant_id, month, calls, blocked_calls, fallback_calls, prompt_tokens, completion_tokens, cost_micros)
  VALUES (NEW.tenant_id, NEW.month, 1, (NEW.decision = 'block')::int, (NEW.decision = 'fallback')::int,
          NEW.prompt_tokens, NEW.completion_tokens, NEW.cost_micros)
  ON CONFLICT (tenant_id, month) DO UPDATE
     SET calls = m.calls + 1,
         blocked_calls = m.blocked_calls + excluded.blocked_calls,
         fallback_calls = m.fallback_calls + excluded.fallback_calls,
         prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
         completion_tokens = m.completion_tokens + excluded.completion_tokens,
         cost_micros = m.cost_micros + excluded.cost_micros,
         updated_at = now();
  RETURN NULL;
END
$$;

CREATE TRIGGER add_to_month AFTER INSERT ON skeldir.llm_api_calls
  FOR EACH ROW EXECUTE FUNCTION skeldir.llm_add_to_month();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON skeldir.llm_api_calls
  FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.llm_api_calls
  FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER append_only_truncate ON skeldir.llm_api_calls;
DROP TRIGGER append_only ON skeldir.llm_api_calls;
DROP TRIGGER add_to_month ON skeldir.llm_api_calls;
DROP FUNCTION skeldir.llm_add_to_month();
