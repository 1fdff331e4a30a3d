-- migrate:up
-- The LLM-backed endpoints (SPEC §6.3) for a tenant: an explanation, now;
-- an investigation and a budget optimization, started as jobs (202) and
-- read back by id. A record another tenant owns reads as missing.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.explain(tenant uuid, entity_type text, entity_id text, request_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.explain(entity_type, entity_id, '{}', request_id);
END
$$;

CREATE FUNCTION api.start_investigation(tenant uuid, question text, context jsonb, request_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.start_investigation(question, coalesce(context, '{}'), request_id);
END
$$;

CREATE FUNCTION api.investigation_status(tenant uuid, investigation_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.investigation_status(investigation_id);
END
$$;

CREATE FUNCTION api.start_budget_optimization(tenant uuid, total_budget numeric, optimization_goal text,
                                              constraints jsonb, request_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.start_budget_optimization(total_budget, optimization_goal, coalesce(constraints, '{}'), '{}', request_id);
END
$$;

CREATE FUNCTION api.budget_recommendation(tenant uuid, job_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.budget_recommendation(job_id);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.budget_recommendation(uuid, uuid);
DROP FUNCTION api.start_budget_optimization(uuid, numeric, text, jsonb, uuid);
DROP FUNCTION api.investigation_status(uuid, uuid);
DROP FUNCTION api.start_investigation(uuid, text, jsonb, uuid);
DROP FUNCTION api.explain(uuid, text, text, uuid);
