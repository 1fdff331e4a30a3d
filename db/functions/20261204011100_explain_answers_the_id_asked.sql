-- migrate:up
-- An explanation served from the cache names the entity as the request
-- did: a channel explained by its id (skeldir.channel_id) and then by its
-- code has the same facts, so the same cache entry, and each answer's
-- entity_id is the one asked for, not the first asker's. Otherwise as in
-- 20261126007270.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.explain(entity_type text, entity_id text, options jsonb DEFAULT '{}'::jsonb, request_id uuid DEFAULT NULL::uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
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
    RETURN cached || jsonb_build_object('entity_id', entity_id, 'cached', true);
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
$function$;

-- migrate:down
-- (skeldir.explain keeps this body; 20261126007270 defines the one before.)
SELECT 1;
