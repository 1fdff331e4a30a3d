-- migrate:up
-- Operators set a tenant's LLM budget: a monthly cap in micro-USD, what
-- happens over it (block | fallback) and optionally the model its calls use.
-- A NULL cap removes the tenant's row, so llm_settings' defaults apply again.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text DEFAULT 'fallback',
                                         model text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
  saved skeldir.llm_budget_caps;
BEGIN
  IF NOT EXISTS (SELECT FROM skeldir.tenants AS t WHERE t.id = tenant) THEN
    RAISE EXCEPTION 'no tenant %', tenant USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF monthly_cap_micros < 0 OR on_exceed IS NULL OR on_exceed NOT IN ('block', 'fallback') THEN
    RAISE EXCEPTION 'the cap must be >= 0 micro-USD and on_exceed block or fallback' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF model IS NOT NULL AND NOT EXISTS (SELECT FROM skeldir.llm_models AS m WHERE m.model = model) THEN
    RAISE EXCEPTION 'unknown model %', quote_literal(model) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('app.current_tenant_id', tenant::text, true);
  IF monthly_cap_micros IS NULL THEN
    DELETE FROM skeldir.llm_budget_caps AS b WHERE b.tenant_id = tenant;
    PERFORM set_config('app.current_tenant_id', '', true);
    RETURN NULL;
  END IF;
  INSERT INTO skeldir.llm_budget_caps AS b (tenant_id, monthly_cap_micros, on_exceed, model)
  VALUES (tenant, monthly_cap_micros, on_exceed::skeldir.llm_on_exceed, model)
  ON CONFLICT (tenant_id) DO UPDATE
     SET monthly_cap_micros = excluded.monthly_cap_micros, on_exceed = excluded.on_exceed,
         model = excluded.model, updated_at = now()
  RETURNING * INTO saved;
  PERFORM set_config('app.current_tenant_id', '', true);
  RETURN to_jsonb(saved);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.set_llm_budget_cap(uuid, bigint, text, text);
