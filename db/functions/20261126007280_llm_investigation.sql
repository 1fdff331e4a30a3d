-- migrate:up
-- Investigations (contract llm-investigations: 202, then polling). Starting
-- one creates its row and enqueues its llm.investigation job in the caller's
-- transaction; the job computes the facts, asks the model for a synthesis
-- under request_id (one audited call, however often the job runs) and
-- completes the row, or fails it when the budget blocked the call. A row
-- whose job ran out of attempts reads as failed.
-- Budget optimizations (next migration) follow the same lifecycle, so it is
-- written here once, in the skeldir.llm_job_* helpers.
SET LOCAL ROLE skeldir_owner;

-- Status answers leave out what does not apply (top-level nulls) but keep
-- nulls inside, where they say a value is unknown.
CREATE FUNCTION skeldir.jsonb_without_null_keys(o jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(o) AS e WHERE e.value <> 'null');

-- The lifecycle of a row answered by an llm job (skeldir.investigations and
-- skeldir.budget_optimization_jobs, which share the columns used here):
-- pending with its job enqueued (llm_job_enqueue), running when the job
-- starts (llm_job_begin), then completed or failed with the model's answer
-- (llm_job_finish); llm_job_standing reads it back as the contracts say it.
-- The table is a parameter, hence EXECUTE.

-- The id of the tenant's row for request_id. A new row (id: the one just
-- inserted) gets its job enqueued, with args {<id_key>: id, request_id}; a
-- request id used before (id NULL: the insert found its row already there)
-- is the same request, whose job is already enqueued.
CREATE FUNCTION skeldir.llm_job_enqueue(job_table regclass, kind text, id_key text, id uuid, request_id uuid)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  existing uuid;
BEGIN
  IF id IS NULL THEN
    EXECUTE format('SELECT r.id FROM %s AS r WHERE r.tenant_id = $1 AND r.request_id = $2', job_table)
       INTO existing USING tenant, request_id;
    RETURN existing;
  END IF;
  EXECUTE format('UPDATE %s AS r SET job_id = $3 WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING tenant, id, skeldir.enqueue(kind, jsonb_build_object(id_key, id, 'request_id', request_id),
                                      tenant, NULL, kind || ':' || tenant || ':' || id);
  RETURN id;
END
$$;

-- Locks the tenant's row (what: its name in errors; args: the job's, with
-- the row's id under id_key and its request_id) and marks it running; false
-- when it is already finished: a retry after success has nothing left to do.
CREATE FUNCTION skeldir.llm_job_begin(job_table regclass, what text, args jsonb, id_key text) RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  id uuid := (args ->> id_key)::uuid;
  request_id uuid;
  status skeldir.llm_job_status;
BEGIN
  EXECUTE format('SELECT r.request_id, r.status FROM %s AS r WHERE r.tenant_id = $1 AND r.id = $2 FOR UPDATE', job_table)
     INTO request_id, status USING skeldir.current_tenant_id(), id;
  IF status IS NULL THEN
    RAISE EXCEPTION 'no % % for this tenant', what, args ->> id_key USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF request_id IS DISTINCT FROM (args ->> 'request_id')::uuid THEN
    RAISE EXCEPTION '% % has request id %, not %', what, id, request_id, args ->> 'request_id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF status IN ('completed', 'failed') THEN
    RETURN false;
  END IF;
  EXECUTE format('UPDATE %s AS r SET status = ''running'', started_at = coalesce(r.started_at, clock_timestamp())
                   WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING skeldir.current_tenant_id(), id;
  RETURN true;
END
$$;

-- Asks the model for a synthesis of the facts under the row's request id
-- (feature: the row's kind) and finishes the row: completed with the facts
-- and the synthesis, or failed, saying why, when the budget blocked the call.
CREATE FUNCTION skeldir.llm_job_finish(job_table regclass, id uuid, request_id uuid, feature skeldir.llm_feature,
                                       instructions text, facts jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  call jsonb := skeldir.llm_call(feature, request_id,
                                 jsonb_build_object('feature', feature, 'instructions', instructions, 'facts', facts));
  status skeldir.llm_job_status := 'completed';
  result jsonb;
  error text;
BEGIN
  IF call ->> 'decision' = 'block' THEN
    status := 'failed';
    error := 'llm budget exceeded: ' || (call ->> 'reason');
  ELSE
    result := facts || jsonb_build_object('synthesis', call #> '{response,text}', 'llm', call - 'response' - 'created_at');
  END IF;
  EXECUTE format('UPDATE %s AS r SET status = $3, result = $4, error = $5, finished_at = clock_timestamp()
                   WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING skeldir.current_tenant_id(), id, status, result, error;
END
$$;

-- Where a row stands, from its status and error and its job (job_id, run
-- for tenant_id): complete; failed when the row failed or its job ran out of
-- attempts (then the job's last error says why); running when the row or its
-- job is; else queued. With the progress that goes with each.
CREATE FUNCTION skeldir.llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint, tenant_id uuid,
                                         OUT status text, OUT progress_percentage integer, OUT error text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT s.status, CASE s.status WHEN 'queued' THEN 0 WHEN 'running' THEN 50 ELSE 100 END,
         coalesce(row_error, CASE WHEN s.status = 'failed' THEN j.last_error END)
    FROM (VALUES (true)) AS one
    LEFT JOIN skeldir.jobs AS j ON j.id = llm_job_standing.job_id AND j.tenant_scope = llm_job_standing.tenant_id
   CROSS JOIN LATERAL (SELECT CASE WHEN row_status = 'completed' THEN 'complete'
                                   WHEN row_status = 'failed' OR j.state = 'dead' THEN 'failed'
                                   WHEN j.state = 'running' OR row_status = 'running' THEN 'running'
                                   ELSE 'queued' END AS status) AS s;
END;

CREATE FUNCTION skeldir.start_investigation(question text, context jsonb DEFAULT '{}', request_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  q text := btrim(question);
  rid uuid := coalesce(request_id, gen_random_uuid());
  inv_id uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an investigation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF q IS NULL OR length(q) NOT BETWEEN 10 AND 500 THEN
    RAISE EXCEPTION 'question must be 10 to 500 characters' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'question';
  END IF;
  PERFORM skeldir.llm_scope(context);
  -- The same request id twice is the same investigation.
  INSERT INTO skeldir.investigations AS i (tenant_id, request_id, question, context)
  VALUES (tenant, rid, q, coalesce(context, '{}'))
  ON CONFLICT ON CONSTRAINT investigations_tenant_id_request_id_key DO NOTHING
  RETURNING i.id INTO inv_id;
  RETURN skeldir.llm_job_enqueue('skeldir.investigations', 'llm.investigation', 'investigation_id', inv_id, rid);
END
$$;

-- args: {investigation_id, request_id}.
CREATE FUNCTION worker.llm_investigation(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  inv skeldir.investigations;
BEGIN
  IF skeldir.llm_job_begin('skeldir.investigations', 'investigation', args, 'investigation_id') THEN
    SELECT * INTO inv FROM skeldir.investigations AS i
     WHERE i.tenant_id = skeldir.current_tenant_id() AND i.id = (args ->> 'investigation_id')::uuid;
    PERFORM skeldir.llm_job_finish('skeldir.investigations', inv.id, inv.request_id, 'investigation',
                                   'Synthesize the findings in a short paragraph, citing only these facts.',
                                   skeldir.llm_investigation_facts(inv.question, inv.context));
  END IF;
END
$$;

-- Where an investigation stands, in the contract's shape; NULL when the
-- tenant has no such investigation.
CREATE FUNCTION skeldir.investigation_status(investigation_id uuid) RETURNS jsonb
LANGUAGE sql STABLE
RETURN (
  SELECT skeldir.jsonb_without_null_keys(jsonb_build_object(
           'investigation_id', i.id,
           'status', s.status,
           'progress_percentage', s.progress_percentage,
           'current_step', CASE s.status WHEN 'queued' THEN 'Waiting for a worker' WHEN 'running' THEN 'Analyzing revenue and attribution'
                                         WHEN 'complete' THEN 'Synthesized findings' ELSE 'Failed' END,
           'elapsed_seconds', floor(extract(epoch FROM coalesce(i.finished_at, now()) - i.created_at))::integer,
           'question', i.question,
           'findings', i.result -> 'findings',
           'synthesis', i.result -> 'synthesis',
           'cost_usd', i.result #> '{llm,cost_usd}',
           'error', s.error))
    FROM skeldir.investigations AS i
   CROSS JOIN LATERAL skeldir.llm_job_standing(i.status, i.error, i.job_id, i.tenant_id) AS s
   WHERE i.tenant_id = (SELECT skeldir.current_tenant_id()) AND i.id = investigation_id);

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('llm.investigation', 'llm', 'worker.llm_investigation', '60 seconds', '90 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'llm.investigation';
DROP FUNCTION skeldir.investigation_status(uuid);
DROP FUNCTION worker.llm_investigation(jsonb, bigint);
DROP FUNCTION skeldir.start_investigation(text, jsonb, uuid);
DROP FUNCTION skeldir.llm_job_standing(skeldir.llm_job_status, text, bigint, uuid);
DROP FUNCTION skeldir.llm_job_finish(regclass, uuid, uuid, skeldir.llm_feature, text, jsonb);
DROP FUNCTION skeldir.llm_job_begin(regclass, text, jsonb, text);
DROP FUNCTION skeldir.llm_job_enqueue(regclass, text, text, uuid, uuid);
DROP FUNCTION skeldir.jsonb_without_null_keys(jsonb);
