-- migrate:up
-- The one way to call a model (SPEC §6.3), for the tenant in the current
-- context, read top to bottom:
--   1. a request id already audited gets its stored answer back: no second
--      call, no second charge, however often a job is retried;
--   2. the tenant's month is locked, so its calls are checked one at a time;
--   3. tokens are estimated (4 bytes of JSON per token) and the cost of the
--      prompt plus the model's longest completion is checked against the
--      monthly cap BEFORE any call: allow; or, over the cap, fall back to
--      the free model (if the tenant chose fallback) or block;
--   4. the chosen model's function answers (never when blocked);
--   5. one audit row records the decision, tokens and cost; its trigger
--      adds them to llm_monthly_costs in the same transaction.
-- A blocked call returns its decision rather than raising, so the decision
-- commits with the audit row instead of rolling back with an error.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_estimate_tokens(content jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN content IS NULL THEN 0 ELSE ceil(octet_length(content::text) / 4.0)::integer END;

CREATE FUNCTION skeldir.llm_cost_micros(micros_per_1k_tokens bigint, tokens bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE
RETURN (tokens * micros_per_1k_tokens + 999) / 1000;

-- What a caller gets back, for a fresh call and a replay alike.
CREATE FUNCTION skeldir.llm_call_result(c skeldir.llm_api_calls) RETURNS jsonb
LANGUAGE sql STABLE
RETURN jsonb_build_object(
  'request_id', c.request_id, 'feature', c.feature, 'decision', c.decision, 'reason', c.reason,
  'model', c.model, 'provider', c.provider, 'prompt_tokens', c.prompt_tokens,
  'completion_tokens', c.completion_tokens, 'cost_micros', c.cost_micros,
  'cost_usd', round(c.cost_micros / 1000000.0, 6), 'created_at', c.created_at, 'response', c.response);

CREATE FUNCTION skeldir.llm_call(feature skeldir.llm_feature, request_id uuid, prompt jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  done skeldir.llm_api_calls;
  spent bigint;
  cap bigint;
  on_exceed skeldir.llm_on_exceed;
  requested skeldir.llm_models;
  fallback skeldir.llm_models;
  chosen skeldir.llm_models;
  prompt_tokens integer := skeldir.llm_estimate_tokens(prompt);
  estimate bigint;
  decision skeldir.llm_decision;
  reason text;
  response jsonb;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an LLM call needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF feature IS NULL OR request_id IS NULL OR jsonb_typeof(prompt) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'an LLM call needs a feature, a request id and a JSON object prompt'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- 1 and 2: a replay; otherwise the month's row, locked; then a replay
  -- again, for a concurrent call with this id that committed while we waited.
  FOR attempt IN 1 .. 2 LOOP
    SELECT * INTO done FROM skeldir.llm_api_calls AS c
     WHERE c.tenant_id = tenant AND c.request_id = llm_call.request_id;
    IF FOUND THEN
      IF done.feature <> llm_call.feature THEN
        RAISE EXCEPTION 'request id % was already used for a % call', request_id, done.feature
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      RETURN skeldir.llm_call_result(done);
    END IF;
    EXIT WHEN attempt = 2;
    INSERT INTO skeldir.llm_monthly_costs AS m (tenant_id, month) VALUES (tenant, this_month)
    ON CONFLICT (tenant_id, month) DO NOTHING;
    SELECT m.cost_micros INTO spent FROM skeldir.llm_monthly_costs AS m
     WHERE m.tenant_id = tenant AND m.month = this_month
       FOR UPDATE;
  END LOOP;

  -- 3: the tenant's cap and model, or the defaults.
  SELECT coalesce(b.monthly_cap_micros, s.default_monthly_cap_micros), coalesce(b.on_exceed, s.default_on_exceed),
         coalesce(b.model, s.default_model), s.fallback_model
    INTO cap, on_exceed, requested.model, fallback.model
    FROM skeldir.llm_settings AS s
    LEFT JOIN skeldir.llm_budget_caps AS b ON b.tenant_id = tenant;
  SELECT * INTO requested FROM skeldir.llm_models AS m WHERE m.model = requested.model;
  SELECT * INTO fallback FROM skeldir.llm_models AS m WHERE m.model = fallback.model;
  estimate := skeldir.llm_cost_micros(requested.micros_per_1k_tokens, prompt_tokens + requested.max_completion_tokens);
  IF spent + estimate <= cap THEN
    decision := 'allow';
    chosen := requested;
    reason := format('within the monthly cap: %s spent + %s estimated <= %s micro-USD', spent, estimate, cap);
  ELSIF on_exceed = 'fallback'
        AND spent + skeldir.llm_cost_micros(fallback.micros_per_1k_tokens,
                                            prompt_tokens + fallback.max_completion_tokens) <= cap THEN
    decision := 'fallback';
    chosen := fallback;
    reason := format('monthly cap exceeded: %s spent + %s estimated > %s micro-USD; fell back to %s',
                     spent, estimate, cap, fallback.model);
  ELSE
    decision := 'block';
    chosen := requested;
    reason := format('monthly cap exceeded: %s spent + %s estimated > %s micro-USD; blocked', spent, estimate, cap);
  END IF;

  -- 4: the call.
  IF decision <> 'block' THEN
    EXECUTE format('SELECT %s($1, $2)', chosen.body) INTO response USING feature, prompt;
    IF jsonb_typeof(response -> 'text') IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'model % answered without a text', chosen.model USING ERRCODE = 'data_exception';
    END IF;
  END IF;

  -- 5: the audit row (and, by trigger, the month).
  INSERT INTO skeldir.llm_api_calls AS c
    (tenant_id, request_id, feature, requested_model, model, provider, decision, reason, prompt_sha256,
     prompt_tokens, completion_tokens, estimated_cost_micros, cost_micros, month, response)
  SELECT tenant, request_id, feature, requested.model, chosen.model, chosen.provider, decision, reason,
         sha256(convert_to(prompt::text, 'UTF8')),
         u.prompt_tokens, u.completion_tokens, estimate,
         skeldir.llm_cost_micros(chosen.micros_per_1k_tokens, u.prompt_tokens + u.completion_tokens),
         this_month, response
    FROM (SELECT CASE WHEN decision = 'block' THEN 0 ELSE prompt_tokens END AS prompt_tokens,
                 skeldir.llm_estimate_tokens(response) AS completion_tokens) AS u
  RETURNING * INTO done;
  RETURN skeldir.llm_call_result(done);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_call(skeldir.llm_feature, uuid, jsonb);
DROP FUNCTION skeldir.llm_call_result(skeldir.llm_api_calls);
DROP FUNCTION skeldir.llm_cost_micros(bigint, bigint);
DROP FUNCTION skeldir.llm_estimate_tokens(jsonb);
