-- migrate:up
-- Explanations (contract llm-explanations: a synchronous 200 with a latency
-- target), so skeldir.explain answers in the caller's transaction: the facts
-- are computed (cheap SQL), and only when no live cache entry holds the
-- explanation of exactly these facts by this model is the model called (the
-- costly part with a real provider). A blocked call returns its decision
-- without an explanation, for the HTTP layer to turn into an error.
-- The llm.explanation job kind runs the same thing in the background (to
-- warm the cache); skeldir.start_explanation enqueues it.
SET LOCAL ROLE skeldir_owner;

-- The model the tenant's calls go to (its cap row's, or the default).
CREATE FUNCTION skeldir.llm_tenant_model() RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT coalesce(b.model, s.default_model)
          FROM skeldir.llm_settings AS s
          LEFT JOIN skeldir.llm_budget_caps AS b ON b.tenant_id = (SELECT skeldir.current_tenant_id()));

CREATE FUNCTION skeldir.explain(entity_type text, entity_id text, options jsonb DEFAULT '{}',
                                request_id uuid DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  facts jsonb;
  prompt jsonb;
  key text;
  cached jsonb;
  call jsonb;
  content jsonb;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an explanation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  facts := skeldir.llm_explanation_facts(entity_type, entity_id, options);
  prompt := jsonb_build_object('feature', 'explanation',
                               'instructions', 'Explain the entity''s value in 100 to 500 characters, citing only these facts.',
                               'facts', facts);
  key := encode(sha256(convert_to(skeldir.llm_tenant_model() || ':' || prompt::text, 'UTF8')), 'hex');

  SELECT c.content INTO cached FROM skeldir.explanation_cache AS c
   WHERE c.tenant_id = tenant AND c.cache_key = key AND c.expires_at > now();
  IF FOUND THEN
    RETURN cached || jsonb_build_object('cached', true);
  END IF;

  call := skeldir.llm_call('explanation', coalesce(request_id, gen_random_uuid()), prompt);
  IF call ->> 'decision' = 'block' THEN
    RETURN jsonb_build_object('decision', call -> 'decision', 'reason', call -> 'reason',
                              'request_id', call -> 'request_id', 'cached', false);
  END IF;
  content := jsonb_build_object(
    'entity_type', entity_type, 'entity_id', entity_id,
    'explanation', call #> '{response,text}', 'citations', facts -> 'citations', 'confidence', facts -> 'confidence',
    'generated_at', call -> 'created_at', 'cost_usd', call -> 'cost_usd', 'model', call -> 'model',
    'decision', call -> 'decision', 'request_id', call -> 'request_id');
  INSERT INTO skeldir.explanation_cache AS c (tenant_id, cache_key, entity_type, entity_id, content, request_id, expires_at)
  VALUES (tenant, key, entity_type, entity_id, content, (call ->> 'request_id')::uuid,
          now() + (SELECT s.explanation_ttl FROM skeldir.llm_settings AS s))
  ON CONFLICT (tenant_id, cache_key) DO UPDATE
     SET content = excluded.content, request_id = excluded.request_id, created_at = excluded.created_at,
         expires_at = excluded.expires_at;
  RETURN content || jsonb_build_object('cached', false);
END
$$;

-- args: {entity_type, entity_id, options, request_id}.
CREATE FUNCTION worker.llm_explanation(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF args ->> 'request_id' IS NULL THEN
    RAISE EXCEPTION 'llm.explanation needs a request_id' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.explain(args ->> 'entity_type', args ->> 'entity_id', coalesce(args -> 'options', '{}'),
                          (args ->> 'request_id')::uuid);
END
$$;

-- Validates the request now (bad input fails the caller, not the job) and
-- enqueues it; returns the request id its audit row will carry.
CREATE FUNCTION skeldir.start_explanation(entity_type text, entity_id text, options jsonb DEFAULT '{}',
                                          request_id uuid DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  id uuid := coalesce(request_id, gen_random_uuid());
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an explanation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.llm_explanation_facts(entity_type, entity_id, options);
  PERFORM skeldir.enqueue('llm.explanation',
                          jsonb_build_object('entity_type', entity_type, 'entity_id', entity_id,
                                             'options', coalesce(options, '{}'), 'request_id', id),
                          tenant, NULL, 'llm.explanation:' || tenant || ':' || id);
  RETURN id;
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('llm.explanation', 'llm', 'worker.llm_explanation', '30 seconds', '60 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'llm.explanation';
DROP FUNCTION skeldir.start_explanation(text, text, jsonb, uuid);
DROP FUNCTION worker.llm_explanation(jsonb, bigint);
DROP FUNCTION skeldir.explain(text, text, jsonb, uuid);
DROP FUNCTION skeldir.llm_tenant_model();
