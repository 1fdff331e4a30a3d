-- migrate:up
-- Two of the five LLM facts functions 20261204081700 left asking every
-- shard compare their tenant by value too (issue 16): the channel
-- performance and attribution score facts turn cents into major units only
-- in their result, after the query (the attribution score's query joins the
-- currencies since 20261204081400), so their queries can run on the tenant's
-- shard whole. The investigation, budget and reconciliation-discrepancy
-- facts still call skeldir.major_units inside their queries and keep the
-- call (tests/sql/distributable.sql names them).
DO $$
DECLARE
  f regprocedure;
  def text;
BEGIN
  FOREACH f IN ARRAY ARRAY['skeldir.llm_channel_performance_facts(text, jsonb)',
                           'skeldir.llm_attribution_score_facts(uuid)']::regprocedure[] LOOP
    def := pg_get_functiondef(f);
    IF def !~ E'\nDECLARE\n' OR def !~ 'tenant_id = \(SELECT skeldir\.current_tenant_id\(\)\)' THEN
      RAISE EXCEPTION '% is not as 20261204081700 left it', f;
    END IF;
    def := regexp_replace(def, E'\nDECLARE\n', E'\nDECLARE\n  tenant_in_context uuid := skeldir.current_tenant_id();\n');
    EXECUTE replace(def, 'tenant_id = (SELECT skeldir.current_tenant_id())', 'tenant_id = tenant_in_context');
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
