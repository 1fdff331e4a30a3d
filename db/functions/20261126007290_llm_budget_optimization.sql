-- migrate:up
-- Budget optimizations (contract llm-budget: 202, then polling), in the same
-- pattern as investigations and with their skeldir.llm_job_* lifecycle: the
-- inputs are validated and stored with the llm.budget_optimization job in the
-- caller's transaction; the job computes the split (skeldir.llm_budget_facts),
-- asks the model for its synthesis under request_id, and completes the row,
-- or fails it when the budget blocked the call.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.start_budget_optimization(total_budget numeric, optimization_goal text,
                                                  constraints jsonb DEFAULT '{}', options jsonb DEFAULT '{}',
                                                  request_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  rid uuid := coalesce(request_id, gen_random_uuid());
  inputs jsonb;
  opt_id uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'a budget optimization needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  inputs := skeldir.llm_budget_inputs(total_budget, optimization_goal, constraints, options);
  INSERT INTO skeldir.budget_optimization_jobs AS b (tenant_id, request_id, inputs)
  VALUES (tenant, rid, inputs)
  ON CONFLICT ON CONSTRAINT budget_optimization_jobs_tenant_id_request_id_key DO NOTHING
  RETURNING b.id INTO opt_id;
  RETURN skeldir.llm_job_enqueue('skeldir.budget_optimization_jobs', 'llm.budget_optimization', 'budget_optimization_id',
                                 opt_id, rid);
END
$$;

-- args: {budget_optimization_id, request_id}.
CREATE FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  opt skeldir.budget_optimization_jobs;
BEGIN
  IF skeldir.llm_job_begin('skeldir.budget_optimization_jobs', 'budget optimization', args, 'budget_optimization_id') THEN
    SELECT * INTO opt FROM skeldir.budget_optimization_jobs AS b
     WHERE b.tenant_id = skeldir.current_tenant_id() AND b.id = (args ->> 'budget_optimization_id')::uuid;
    PERFORM skeldir.llm_job_finish('skeldir.budget_optimization_jobs', opt.id, opt.request_id, 'budget_optimization',
                                   'Explain the recommended split in a short paragraph, citing only these facts.',
                                   skeldir.llm_budget_facts(opt.inputs));
  END IF;
END
$$;

-- The recommendation in the contract's shape (status complete, running or
-- failed; a queued job reads as running at 0%); NULL when the tenant has no
-- such job.
CREATE FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) RETURNS jsonb
LANGUAGE sql STABLE
RETURN (
  SELECT skeldir.jsonb_without_null_keys(jsonb_build_object(
           'job_id', b.id,
           'status', CASE s.status WHEN 'queued' THEN 'running' ELSE s.status END,
           'progress_percentage', s.progress_percentage,
           'allocations', b.result -> 'allocations',
           'synthesis', b.result -> 'synthesis',
           'note', b.result -> 'note',
           'spend_data_available', b.result -> 'spend_data_available',
           'unallocated_budget', b.result -> 'unallocated_budget',
           'metrics', CASE WHEN b.result IS NOT NULL THEN jsonb_build_object(
                        'deterministic_runtime_ms', floor(extract(epoch FROM b.finished_at - b.started_at) * 1000)::bigint,
                        'llm_cost_usd', b.result #> '{llm,cost_usd}') END,
           'error', s.error))
    FROM skeldir.budget_optimization_jobs AS b
   CROSS JOIN LATERAL skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id) AS s
   WHERE b.tenant_id = (SELECT skeldir.current_tenant_id()) AND b.id = budget_optimization_id);

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('llm.budget_optimization', 'llm', 'worker.llm_budget_optimization', '30 seconds', '60 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'llm.budget_optimization';
DROP FUNCTION skeldir.budget_recommendation(uuid);
DROP FUNCTION worker.llm_budget_optimization(jsonb, bigint);
DROP FUNCTION skeldir.start_budget_optimization(numeric, text, jsonb, jsonb, uuid);
