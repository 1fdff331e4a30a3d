-- Analysts are bound to a tenant by an operator (issue 13): the policies,
-- not a setting the session controls, decide which tenant an analyst login
-- reads, and its credentials and personal columns are out of reach.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(10);

CREATE ROLE analyst_of_a LOGIN IN ROLE skeldir_readonly;
CREATE ROLE analyst_unbound LOGIN IN ROLE skeldir_readonly;
CREATE ROLE not_an_analyst LOGIN IN ROLE skeldir_api;
SELECT admin.grant_analyst(:'tenant_a', 'analyst_of_a') AS granted \gset
SELECT throws_ok($$ SELECT admin.grant_analyst(gen_random_uuid(), 'analyst_unbound') $$, 'P0002', NULL,
  'a login cannot be bound to a tenant that does not exist');
SELECT throws_ok(format($$ SELECT admin.grant_analyst(%L, 'not_an_analyst') $$, :'tenant_b'), '22023', NULL,
  'only a login in skeldir_readonly can be bound');

-- Rows of a tenant that the session sees, over every tenant table analysts
-- may read.
CREATE TEMP TABLE analyst_table AS
  SELECT x AS t FROM skeldir.tenant_tables() AS x WHERE has_table_privilege('skeldir_readonly', x, 'SELECT');
GRANT SELECT ON analyst_table TO skeldir_readonly;
CREATE FUNCTION pg_temp.visible_of(tenant uuid) RETURNS TABLE (tbl text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
  k text;
BEGIN
  FOR t IN SELECT a.t FROM pg_temp.analyst_table AS a LOOP
    k := CASE WHEN t = 'skeldir.tenants'::regclass THEN 'id' ELSE 'tenant_id' END;
    tbl := t::text;
    EXECUTE format('SELECT count(*) FROM %s WHERE %I = $1', t, k) INTO n USING tenant;
    RETURN NEXT;
  END LOOP;
END $$;

-- The analyst names a tenant in the session with SET LOCAL, which Citus
-- carries to the workers (a set_config is not: there the shards would see no
-- tenant at all, and hide every row whatever the binding).
SET SESSION AUTHORIZATION analyst_of_a;
SET LOCAL app.current_tenant_id = :'tenant_a';
SELECT ok((SELECT count(*) FROM skeldir.revenue_ledger) > 0, 'a bound analyst reads its tenant');
SELECT cmp_ok((SELECT count(*) FROM pg_temp.visible_of(:'tenant_a')), '>=', 10::bigint,
  'the walk covers the tenant tables an analyst may read');
SET LOCAL app.current_tenant_id = :'tenant_b';
SELECT is_empty(format($$ SELECT * FROM pg_temp.visible_of(%L) WHERE n > 0 $$, :'tenant_b'),
  'naming another tenant in the session shows none of its rows, in any table');
SET ROLE skeldir_readonly;
SELECT is_empty(format($$ SELECT * FROM pg_temp.visible_of(%L) WHERE n > 0 $$, :'tenant_b'),
  'nor after SET ROLE: the binding follows the login');
SELECT throws_ok($$ SELECT email FROM skeldir.users $$, '42501', NULL, 'an analyst cannot read users'' emails');
RESET ROLE;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION analyst_unbound;
SET LOCAL app.current_tenant_id = :'tenant_a';
SELECT is((SELECT count(*) FROM skeldir.revenue_ledger), 0::bigint, 'an unbound analyst sees nothing');
RESET SESSION AUTHORIZATION;

SELECT admin.revoke_analyst('analyst_of_a') AS revoked \gset
SET SESSION AUTHORIZATION analyst_of_a;
SET LOCAL app.current_tenant_id = :'tenant_a';
SELECT is((SELECT count(*) FROM skeldir.revenue_ledger), 0::bigint, 'a revoked analyst sees nothing at once');
RESET SESSION AUTHORIZATION;

-- The catalog rules: every tenant table carries the binding policy, and no
-- credential or contact column is readable by analysts.
SELECT is_empty($$ SELECT subject, detail FROM skeldir.audit_analysts() WHERE NOT ok $$,
  'every tenant table binds analysts, and analysts read no credential or contact column');

SELECT * FROM finish();
ROLLBACK;
