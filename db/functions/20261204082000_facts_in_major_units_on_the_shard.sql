-- migrate:up
-- Money becomes major units without a query of its own, so that the
-- investigation and budget facts can run their queries on the tenant's
-- shard (issue 16). skeldir.major_units(minor, currency) looks the
-- currency's exponent up in skeldir.currencies; called inside a query Citus
-- routes to one shard, that lookup is a distributed query from a shard,
-- which Citus refuses (llm.sql), so these two functions compared their
-- tenant with a call Citus cannot see and asked every shard
-- (20261204081700). skeldir.in_major_units(minor, exponent) is the same
-- rounding with the exponent given; the two functions read their scope's
-- currency exponent once, into cur_exponent, and use it, and compare the
-- tenant by value. skeldir.major_units rounds through it (one definition).
-- The same numbers: NULL for an unknown currency, as before.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.in_major_units(minor numeric, exponent integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round(minor / power(10::numeric, exponent), exponent) $$;

REVOKE EXECUTE ON FUNCTION skeldir.in_major_units(numeric, integer) FROM PUBLIC;

COMMENT ON FUNCTION skeldir.in_major_units(numeric, integer) IS
  'minor units as major units, rounded to the currency''s exponent (NULL when the exponent is).';

CREATE OR REPLACE FUNCTION skeldir.major_units(minor numeric, currency text) RETURNS numeric
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT skeldir.in_major_units(minor, c.exponent) FROM skeldir.currencies AS c WHERE c.code = currency)
$$;

RESET ROLE;
DO $$
DECLARE
  f regprocedure;
  def text;
  calls integer;
BEGIN
  FOREACH f IN ARRAY ARRAY['skeldir.llm_investigation_facts(text, jsonb)', 'skeldir.llm_budget_facts(jsonb)']::regprocedure[] LOOP
    def := pg_get_functiondef(f);
    calls := (SELECT count(*) FROM regexp_matches(def, 'skeldir\.major_units\(', 'g'));
    IF def !~ E'\n  cur text := scope ->> ''currency'';\n' THEN
      RAISE EXCEPTION '% does not read its currency as expected', f;
    END IF;
    def := replace(def, E'\n  cur text := scope ->> ''currency'';\n',
                   E'\n  cur text := scope ->> ''currency'';\n'
                   '  cur_exponent integer := (SELECT c.exponent FROM skeldir.currencies AS c WHERE c.code = cur);\n'
                   '  tenant_in_context uuid := skeldir.current_tenant_id();\n');
    def := regexp_replace(def, 'skeldir\.major_units\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*), cur\)',
                          'skeldir.in_major_units(\1, cur_exponent)', 'g');
    IF def ~ 'skeldir\.major_units\(' OR (SELECT count(*) FROM regexp_matches(def, 'skeldir\.in_major_units\(', 'g')) <> calls THEN
      RAISE EXCEPTION '% has a call of skeldir.major_units this migration does not rewrite', f;
    END IF;
    def := replace(replace(def, 'tenant_id = (SELECT skeldir.current_tenant_id())', 'tenant_id = tenant_in_context'),
                   'tenant_id = skeldir.current_tenant_id()', 'tenant_id = tenant_in_context');
    EXECUTE def;
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
