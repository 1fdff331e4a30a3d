-- migrate:up
-- Statements compare tenant_id with the tenant in context read into a
-- variable, not with a call of skeldir.current_tenant_id() (issue 16).
-- Citus chooses a statement's shard from a value it can see when it plans:
-- a call it cannot, so the statement went to every shard. One signed
-- Shopify delivery on the cluster sent 147 commands to both workers, 96 of
-- them the webhook secrets' lookup of skeldir.signature_valid, once per
-- shard (citus.log_remote_commands). On PostgreSQL the variable is the
-- same value (none of these functions changes the context before the
-- statement), read once.
--
-- The functions that compare that way (the signature check, the LLM scope
-- and jobs) are redefined from their catalog definitions with two
-- replacements and nothing else, as the migrating superuser (CREATE OR
-- REPLACE keeps owner and grants): their DECLARE gains tenant_in_context,
-- and each comparison reads it. Not yet the five LLM facts functions that
-- turn cents into major units with skeldir.major_units inside the query:
-- routed to one shard, the whole query runs there, and the function's own
-- read of the currencies is a distributed query Citus refuses from a shard
-- (llm.sql on the cluster); asking every shard, Citus converts after it
-- gathers the sums, on the coordinator. They need the currencies joined in
-- the query first (as 20261204081400 did for the attribution score).
-- tests/sql/distributable.sql holds the rule, and names them.
DO $$
DECLARE
  f regprocedure;
  def text;
BEGIN
  FOR f IN
    SELECT p.oid FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     -- (pg_get_functiondef refuses aggregates, whatever the order of tests)
     WHERE CASE WHEN n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.prokind IN ('f', 'p')
                THEN pg_get_functiondef(p.oid) ~ 'tenant_id = \(?(SELECT )?skeldir\.current_tenant_id\(\)'
                     AND pg_get_functiondef(p.oid) !~ 'skeldir\.major_units\(' END
     ORDER BY p.oid
  LOOP
    def := pg_get_functiondef(f);
    IF def !~ E'\nDECLARE\n' THEN
      RAISE EXCEPTION '% has no DECLARE section', f;
    END IF;
    def := regexp_replace(def, E'\nDECLARE\n', E'\nDECLARE\n  tenant_in_context uuid := skeldir.current_tenant_id();\n');
    def := replace(replace(def, 'tenant_id = (SELECT skeldir.current_tenant_id())', 'tenant_id = tenant_in_context'),
                   'tenant_id = skeldir.current_tenant_id()', 'tenant_id = tenant_in_context');
    EXECUTE def;
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
