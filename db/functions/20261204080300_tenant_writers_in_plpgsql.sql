-- migrate:up
-- The six SQL-language functions that read or write a tenant table become
-- PL/pgSQL, and each statement names its tenant (issue 16). Citus cannot
-- plan a statement of a SQL-language function whose values are the
-- function's parameters ('could not create distributed plan ... parameters
-- in SQL functions', make test-citus: every ingest that dead-letters,
-- through skeldir.record_dead_event), refuses now() in ON CONFLICT DO
-- UPDATE SET on a distributed table, and routes a statement to one shard
-- only when its tenant is a value, not the policy's call. PL/pgSQL gives
-- the statements' parameters values before Citus plans them; the tenant is
-- read once into a variable and compared with tenant_id; now() and the
-- redactions are computed before the statement; a job's standing (from
-- skeldir.jobs, which stays on the coordinator) is read after the tenant's
-- row, not joined to it. Same results on plain PostgreSQL, with the same
-- owner and grants (CREATE OR REPLACE keeps them).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text,
                                                     error_type text, error_message text, payload jsonb,
                                                     pii_paths text[], body bytea, correlation_id uuid)
RETURNS uuid
LANGUAGE plpgsql
AS $$
-- (the arrival's columns are named as its parameters: the columns win)
#variable_conflict use_column
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  kept_topic text := left(skeldir.redact_pii(topic), 255);
  kept_header text := CASE WHEN NOT skeldir.pii_value(idempotency_header) THEN left(idempotency_header, 255) END;
  kept_message text := left(skeldir.redact_pii(error_message), 1000);
  digest bytea := sha256(body);
  dead uuid;
BEGIN
  INSERT INTO skeldir.dead_events AS x
    (tenant_id, vendor, topic, idempotency_header, error_type, error_message, payload, pii_paths,
     body_sha256, body_bytes, correlation_id)
  VALUES
    (tenant, record_dead_event.vendor, kept_topic, kept_header, record_dead_event.error_type, kept_message,
     record_dead_event.payload, coalesce(record_dead_event.pii_paths, '{}'), digest,
     length(body), record_dead_event.correlation_id)
  ON CONFLICT (tenant_id, vendor, body_sha256) WHERE status IN ('pending', 'in_progress')
  DO UPDATE SET occurrences = x.occurrences + 1, last_seen_at = at
  RETURNING x.id INTO dead;
  RETURN dead;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.unpin_paypal_certificate() RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  unpinned bigint;
BEGIN
  UPDATE skeldir.tenant_paypal_certificates AS c SET revoked_at = at
   WHERE c.tenant_id = tenant AND c.revoked_at IS NULL;
  GET DIAGNOSTICS unpinned = ROW_COUNT;
  RETURN unpinned;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.end_sessions(user_id uuid, reason text) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  revoked integer;
BEGIN
  UPDATE skeldir.refresh_tokens AS t SET revoked_at = at, revoke_reason = end_sessions.reason
   WHERE t.tenant_id = tenant AND t.user_id = end_sessions.user_id AND t.revoked_at IS NULL AND t.rotated_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  RETURN revoked;
END
$$;

-- The tenant's model: its budget cap's, else the default of the settings
-- (one row; NULL without settings, as before).
CREATE OR REPLACE FUNCTION skeldir.llm_tenant_model() RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  capped text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM skeldir.llm_settings) THEN
    RETURN NULL;
  END IF;
  SELECT b.model INTO capped FROM skeldir.llm_budget_caps AS b WHERE b.tenant_id = tenant;
  RETURN coalesce(capped, (SELECT s.default_model FROM skeldir.llm_settings AS s));
END
$$;

CREATE OR REPLACE FUNCTION skeldir.investigation_status(investigation_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  i skeldir.investigations;
  s record;
BEGIN
  SELECT * INTO i FROM skeldir.investigations AS x WHERE x.tenant_id = tenant AND x.id = investigation_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  s := skeldir.llm_job_standing(i.status, i.error, i.job_id, i.tenant_id);
  RETURN skeldir.jsonb_without_null_keys(jsonb_build_object(
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
           'error', s.error));
END
$$;

CREATE OR REPLACE FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  b skeldir.budget_optimization_jobs;
  s record;
BEGIN
  SELECT * INTO b FROM skeldir.budget_optimization_jobs AS x WHERE x.tenant_id = tenant AND x.id = budget_optimization_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  s := skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id);
  RETURN skeldir.jsonb_without_null_keys(jsonb_build_object(
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
           'error', s.error));
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
