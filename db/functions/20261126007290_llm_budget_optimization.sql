-- migrate:up
-- Budget optimizations (contract llm-budget: 202, then polling), in the same
-- pattern as investigations: the inputs are validated and stored with the
-- llm.budget_optimization job in the caller's transaction; the job computes
-- the split (skeldir.llm_budget_facts), asks the model for its synthesis
-- under request_id, and completes the row, or fails it when the budget
-- blocked the call.
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
  IF opt_id IS NULL THEN
    SELECT b.id INTO opt_id FROM skeldir.budget_optimization_jobs AS b WHERE b.tenant_id = tenant AND b.request_id = rid;
    RETURN opt_id;
  END IF;
  UPDATE skeldir.budget_optimization_jobs AS b
     SET job_id = skeldir.enqueue('llm.budget_optimization',
                                  jsonb_build_object('budget_optimization_id', opt_id, 'request_id', rid),
                                  tenant, NULL, 'llm.budget_optimization:' || tenant || ':' || opt_id)
   WHERE b.tenant_id = tenant AND b.id = opt_id;
  RETURN opt_id;
END
$$;

-- args: {budget_optimization_id, request_id}.
CREATE FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  opt skeldir.budget_optimization_jobs;
  facts jsonb;
  call jsonb;
BEGIN
  SELECT * INTO opt FROM skeldir.budget_optimization_jobs AS b
   WHERE b.tenant_id = skeldir.current_tenant_id() AND b.id = (args ->> 'budget_optimization_id')::uuid
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no budget optimization % for this tenant', args ->> 'budget_optimization_id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF opt.request_id IS DISTINCT FROM (args ->> 'request_id')::uuid THEN
    RAISE EXCEPTION 'budget optimization % has request id %, not %', opt.id, opt.request_id, args ->> 'request_id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF opt.status IN ('completed', 'failed') THEN
    RETURN;  -- a retry after success: nothing left to do
  END IF;
  UPDATE skeldir.budget_optimization_jobs AS b
     SET status = 'running', started_at = coalesce(b.started_at, clock_timestamp())
   WHERE b.tenant_id = opt.tenant_id AND b.id = opt.id;

  facts := skeldir.llm_budget_facts(opt.inputs);
  call := skeldir.llm_call('budget_optimization', opt.request_id,
                           jsonb_build_object('feature', 'budget_optimization',
                                              'instructions', 'Explain the recommended split in a short paragraph, citing only these facts.',
                                              'facts', facts));
  UPDATE skeldir.budget_optimization_jobs AS b
     SET status = CASE WHEN call ->> 'decision' = 'block' THEN 'failed' ELSE 'completed' END::skeldir.llm_job_status,
         result = CASE WHEN call ->> 'decision' <> 'block' THEN
                    facts || jsonb_build_object('synthesis', call #> '{response,text}',
                                                'llm', call - 'response' - 'created_at')
                  END,
         error = CASE WHEN call ->> 'decision' = 'block' THEN 'llm budget exceeded: ' || (call ->> 'reason') END,
         finished_at = clock_timestamp()
   WHERE b.tenant_id = opt.tenant_id AND b.id = opt.id;
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
           'status', s.status,
           'progress_percentage', CASE WHEN s.status <> 'running' THEN 100 WHEN j.state = 'running' OR b.status = 'running' THEN 50 ELSE 0 END,
           'allocations', b.result -> 'allocations',
           'synthesis', b.result -> 'synthesis',
           'note', b.result -> 'note',
           'spend_data_available', b.result -> 'spend_data_available',
           'unallocated_budget', b.result -> 'unallocated_budget',
           'metrics', CASE WHEN b.result IS NOT NULL THEN jsonb_build_object(
                        'deterministic_runtime_ms', floor(extract(epoch FROM b.finished_at - b.started_at) * 1000)::bigint,
                        'llm_cost_usd', b.result #> '{llm,cost_usd}') END,
           'error', coalesce(b.error, CASE WHEN s.status = 'failed' THEN j.last_error END)))
    FROM skeldir.budget_optimization_jobs AS b
    LEFT JOIN skeldir.jobs AS j ON j.id = b.job_id AND j.tenant_scope = b.tenant_id
   CROSS JOIN LATERAL (SELECT CASE WHEN b.status = 'completed' THEN 'complete'
                                   WHEN b.status = 'failed' OR j.state = 'dead' THEN 'failed'
                                   ELSE 'running' END AS status) AS s
   WHERE b.tenant_id = (SELECT skeldir.current_tenant_id()) AND b.id = budget_optimization_id);

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('llm.budget_optimization', 'llm', 'worker.llm_budget_optimization', '30 seconds', '60 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'llm.budget_optimization';
DROP FUNCTION skeldir.budget_recommendation(uuid);
DROP FUNCTION worker.llm_budget_optimization(jsonb, bigint);
DROP FUNCTION skeldir.start_budget_optimization(numeric, text, jsonb, jsonb, uuid);
