-- migrate:up
-- admin.set_llm_budget_cap refused every tenant when called as an operator
-- (issue: the database is the authority, item 7): it looked the tenant up
-- before entering it, and the tenants table is confined by forced RLS even
-- for its owner, so the lookup saw nothing. It now enters the tenant first
-- (skeldir.enter_tenant, which refuses a tenant that does not exist).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text DEFAULT 'fallback',
                                         model text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
  saved skeldir.llm_budget_caps;
BEGIN
  IF monthly_cap_micros < 0 OR on_exceed IS NULL OR on_exceed NOT IN ('block', 'fallback') THEN
    RAISE EXCEPTION 'the cap must be >= 0 micro-USD and on_exceed block or fallback' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF model IS NOT NULL AND NOT EXISTS (SELECT FROM skeldir.llm_models AS m WHERE m.model = model) THEN
    RAISE EXCEPTION 'unknown model %', quote_literal(model) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.enter_tenant(tenant);  -- refuses a tenant that does not exist
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
-- (admin.set_llm_budget_cap keeps this body; 20261126007300 defines the one before.)
SELECT 1;
