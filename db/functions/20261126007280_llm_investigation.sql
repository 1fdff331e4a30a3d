-- migrate:up
-- Investigations (contract llm-investigations: 202, then polling). Starting
-- one creates its row and enqueues its llm.investigation job in the caller's
-- transaction; the job computes the facts, asks the model for a synthesis
-- under request_id (one audited call, however often the job runs) and
-- completes the row, or fails it when the budget blocked the call. A row
-- whose job ran out of attempts reads as failed.
SET LOCAL ROLE skeldir_owner;

-- Status answers leave out what does not apply (top-level nulls) but keep
-- nulls inside, where they say a value is unknown.
CREATE FUNCTION skeldir.jsonb_without_null_keys(o jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(o) AS e WHERE e.value <> 'null');

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
    RAISE EXCEPTION 'question must be 10 to 500 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.llm_scope(context);
  -- The same request id twice is the same investigation.
  INSERT INTO skeldir.investigations AS i (tenant_id, request_id, question, context)
  VALUES (tenant, rid, q, coalesce(context, '{}'))
  ON CONFLICT ON CONSTRAINT investigations_tenant_id_request_id_key DO NOTHING
  RETURNING i.id INTO inv_id;
  IF inv_id IS NULL THEN
    SELECT i.id INTO inv_id FROM skeldir.investigations AS i WHERE i.tenant_id = tenant AND i.request_id = rid;
    RETURN inv_id;
  END IF;
  UPDATE skeldir.investigations AS i
     SET job_id = skeldir.enqueue('llm.investigation', jsonb_build_object('investigation_id', inv_id, 'request_id', rid),
                                  tenant, NULL, 'llm.investigation:' || tenant || ':' || inv_id)
   WHERE i.tenant_id = tenant AND i.id = inv_id;
  RETURN inv_id;
END
$$;

-- args: {investigation_id, request_id}.
CREATE FUNCTION worker.llm_investigation(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  inv skeldir.investigations;
  facts jsonb;
  call jsonb;
BEGIN
  SELECT * INTO inv FROM skeldir.investigations AS i
   WHERE i.tenant_id = skeldir.current_tenant_id() AND i.id = (args ->> 'investigation_id')::uuid
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no investigation % for this tenant', args ->> 'investigation_id' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF inv.request_id IS DISTINCT FROM (args ->> 'request_id')::uuid THEN
    RAISE EXCEPTION 'investigation % has request id %, not %', inv.id, inv.request_id, args ->> 'request_id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF inv.status IN ('completed', 'failed') THEN
    RETURN;  -- a retry after success: nothing left to do
  END IF;
  UPDATE skeldir.investigations AS i
     SET status = 'running', started_at = coalesce(i.started_at, clock_timestamp())
   WHERE i.tenant_id = inv.tenant_id AND i.id = inv.id;

  facts := skeldir.llm_investigation_facts(inv.question, inv.context);
  call := skeldir.llm_call('investigation', inv.request_id,
                           jsonb_build_object('feature', 'investigation',
                                              'instructions', 'Synthesize the findings in a short paragraph, citing only these facts.',
                                              'facts', facts));
  UPDATE skeldir.investigations AS i
     SET status = CASE WHEN call ->> 'decision' = 'block' THEN 'failed' ELSE 'completed' END::skeldir.llm_job_status,
         result = CASE WHEN call ->> 'decision' <> 'block' THEN
                    facts || jsonb_build_object('synthesis', call #> '{response,text}',
                                                'llm', call - 'response' - 'created_at')
                  END,
         error = CASE WHEN call ->> 'decision' = 'block' THEN 'llm budget exceeded: ' || (call ->> 'reason') END,
         finished_at = clock_timestamp()
   WHERE i.tenant_id = inv.tenant_id AND i.id = inv.id;
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
           'progress_percentage', CASE s.status WHEN 'queued' THEN 0 WHEN 'running' THEN 50 ELSE 100 END,
           'current_step', CASE s.status WHEN 'queued' THEN 'Waiting for a worker' WHEN 'running' THEN 'Analyzing revenue and attribution'
                                         WHEN 'complete' THEN 'Synthesized findings' ELSE 'Failed' END,
           'elapsed_seconds', floor(extract(epoch FROM coalesce(i.finished_at, now()) - i.created_at))::integer,
           'question', i.question,
           'findings', i.result -> 'findings',
           'synthesis', i.result -> 'synthesis',
           'cost_usd', i.result #> '{llm,cost_usd}',
           'error', coalesce(i.error, CASE WHEN s.status = 'failed' THEN j.last_error END)))
    FROM skeldir.investigations AS i
    LEFT JOIN skeldir.jobs AS j ON j.id = i.job_id AND j.tenant_scope = i.tenant_id
   CROSS JOIN LATERAL (SELECT CASE WHEN i.status = 'completed' THEN 'complete'
                                   WHEN i.status = 'failed' OR j.state = 'dead' THEN 'failed'
                                   WHEN j.state = 'running' OR i.status = 'running' THEN 'running'
                                   ELSE 'queued' END AS status) AS s
   WHERE i.tenant_id = (SELECT skeldir.current_tenant_id()) AND i.id = investigation_id);

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('llm.investigation', 'llm', 'worker.llm_investigation', '60 seconds', '90 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'llm.investigation';
DROP FUNCTION skeldir.investigation_status(uuid);
DROP FUNCTION worker.llm_investigation(jsonb, bigint);
DROP FUNCTION skeldir.start_investigation(text, jsonb, uuid);
DROP FUNCTION skeldir.jsonb_without_null_keys(jsonb);
