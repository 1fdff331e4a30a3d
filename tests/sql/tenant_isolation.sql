-- Isolation as the table owner sees it: skeldir_owner is who definer
-- functions run as, and FORCE makes RLS bind even it. With the tenant setting
-- unset or empty every tenant table shows zero rows (not an error), and
-- tenant A sees exactly its own rows, never B's.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(7);

\ir fixtures/tenant_tables.sql

-- The rows each tenant owns. On plain PostgreSQL the superuser (who bypasses
-- RLS) counts every row by its tenant. On Citus no user but skeldir_owner may
-- read a tenant's rows once skeldir_owner wrote them in this transaction, so
-- there each tenant's rows are counted as skeldir_owner in that tenant's
-- context, by their tenant column (a query Citus routes to the tenant's shard;
-- the checks below count without that filter, across every shard).
CREATE TEMP TABLE owned (tbl regclass, key_column text, tenant uuid, n bigint);
GRANT SELECT, INSERT ON owned TO PUBLIC;
INSERT INTO owned SELECT oid, key_column, NULL, 0 FROM tenant_table;
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS on_citus \gset
\if :on_citus
CREATE TEMP TABLE fixture_tenant (tenant uuid);
INSERT INTO fixture_tenant VALUES (:'tenant_a'), (:'tenant_b');
GRANT SELECT ON fixture_tenant TO PUBLIC;
SET ROLE skeldir_owner;
DO $$
DECLARE
  t record;
  tenant uuid;
  n bigint;
BEGIN
  FOR tenant IN SELECT f.tenant FROM fixture_tenant AS f LOOP
    PERFORM skeldir.set_tenant_context(tenant::text, true);
    FOR t IN SELECT oid::regclass AS tbl, key_column FROM tenant_table LOOP
      EXECUTE format('SELECT count(*) FROM %s WHERE %I = %L::uuid', t.tbl, t.key_column, tenant) INTO n;
      INSERT INTO owned VALUES (t.tbl, t.key_column, tenant, n);
    END LOOP;
  END LOOP;
  PERFORM skeldir.set_tenant_context('', true);
END
$$;
RESET ROLE;
\else
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT oid::regclass AS tbl, key_column FROM tenant_table LOOP
    EXECUTE format('INSERT INTO owned SELECT %L, %L, %I, count(*) FROM %s GROUP BY %I',
                   t.tbl, t.key_column, t.key_column, t.tbl, t.key_column);
  END LOOP;
END
$$;
\endif

-- Rows of tbl the current role can see, optionally only those not of tenant.
CREATE FUNCTION pg_temp.visible(tbl regclass, key_column text, not_of uuid DEFAULT NULL) RETURNS bigint
LANGUAGE sql AS $$
  SELECT (xpath('/row/n/text()', query_to_xml(
            format('SELECT count(*) AS n FROM %s WHERE %L::uuid IS NULL OR %I IS DISTINCT FROM %L::uuid',
                   tbl, not_of, key_column, not_of), false, true, '')))[1]::text::bigint
$$;

SELECT is_empty(format($$
  SELECT DISTINCT o.tbl FROM owned AS o
   WHERE (SELECT count(*) FROM owned AS x
           WHERE x.tbl = o.tbl AND x.tenant IN (%L, %L) AND x.n > 0) < 2
$$, :'tenant_a', :'tenant_b'), 'the fixture gives both tenants rows in every tenant table (otherwise these checks prove nothing)');

SET ROLE skeldir_owner;

SELECT skeldir.set_tenant_context(NULL, true);
SELECT is_empty($$ SELECT DISTINCT tbl FROM owned WHERE pg_temp.visible(tbl, key_column) > 0 $$,
  'with the tenant setting unset, every tenant table shows zero rows');

SELECT skeldir.set_tenant_context('', true);
SELECT is_empty($$ SELECT DISTINCT tbl FROM owned WHERE pg_temp.visible(tbl, key_column) > 0 $$,
  'with the tenant setting empty, every tenant table shows zero rows');

SELECT skeldir.set_tenant_context('not-a-uuid', true);
SELECT is_empty($$ SELECT DISTINCT tbl FROM owned WHERE pg_temp.visible(tbl, key_column) > 0 $$,
  'with a malformed tenant setting, every tenant table shows zero rows');

SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT is_empty($$
  SELECT tbl, n AS owned, pg_temp.visible(tbl, key_column) AS visible FROM owned
   WHERE tenant = current_setting('app.current_tenant_id')::uuid AND pg_temp.visible(tbl, key_column) <> n
$$, 'tenant A sees every row it owns');
SELECT is_empty($$
  SELECT DISTINCT tbl FROM owned
   WHERE pg_temp.visible(tbl, key_column, current_setting('app.current_tenant_id')::uuid) > 0
$$, 'tenant A sees no row of any other tenant');

SELECT throws_ok(
  format($$INSERT INTO skeldir.tenant_api_keys (tenant_id, key_hash, prefix)
           VALUES (%L, sha256('x'), 'skd_x')$$, :'tenant_b'),
  '42501', NULL, 'tenant A cannot write a row for tenant B');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
