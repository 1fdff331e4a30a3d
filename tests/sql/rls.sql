-- SPEC §2.2, by walking the catalog: every tenant table has RLS enabled and
-- forced, a tenant policy for every command, and its tenant column in every
-- key.
BEGIN;
SELECT plan(10);

\ir fixtures/tenant_tables.sql

SELECT cmp_ok((SELECT count(*) FROM tenant_table), '>=', 3::bigint, 'the walk sees the tenant tables');

SELECT is_empty($$
  SELECT oid::regclass, relrowsecurity, relforcerowsecurity FROM tenant_table
   WHERE NOT (relrowsecurity AND relforcerowsecurity)
$$, 'every tenant table has row-level security enabled and forced');

SELECT is_empty($$
  SELECT t.oid::regclass, format_type(a.atttypid, a.atttypmod), a.attnotnull
    FROM tenant_table AS t JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attname = t.key_column
   WHERE a.atttypid <> 'uuid'::regtype OR NOT a.attnotnull
$$, 'every tenant key column is uuid NOT NULL');

SELECT is_empty($$
  SELECT t.oid::regclass FROM tenant_table AS t
   WHERE NOT EXISTS (
     SELECT FROM pg_policy AS p
      WHERE p.polrelid = t.oid AND p.polcmd = '*' AND p.polpermissive AND p.polroles = '{0}'
        AND pg_get_expr(p.polqual, p.polrelid) = format('(%s = skeldir.current_tenant_id())', t.key_column)
        AND pg_get_expr(p.polwithcheck, p.polrelid) = format('(%s = skeldir.current_tenant_id())', t.key_column))
$$, 'every tenant table has a policy USING and WITH CHECK on its tenant column, for all commands');

SELECT is_empty($$
  SELECT p.polrelid::regclass, p.polname FROM pg_policy AS p
   WHERE NOT p.polpermissive
     AND NOT (p.polname = 'analyst_binding' AND p.polcmd = 'r'
              AND p.polroles = ARRAY['skeldir_readonly'::regrole::oid])
$$, 'no restrictive policy narrows (or hides) the tenant policy, but the analysts'' binding to their tenant');

SELECT is_empty($$
  SELECT k.conrelid::regclass, k.conname FROM pg_constraint AS k
   WHERE k.contype = 'f' AND k.confrelid = 'skeldir.tenants'::regclass
     AND k.conrelid NOT IN (SELECT oid FROM tenant_table)
$$, 'only tenant tables reference skeldir.tenants (the queue and other system tables do not, so they can stay local when tenant tables are distributed)');

SELECT is_empty($$
  SELECT t.oid::regclass, i.indexrelid::regclass
    FROM tenant_table AS t JOIN pg_index AS i ON i.indrelid = t.oid
    JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attname = t.key_column
   WHERE (i.indisunique OR i.indisprimary) AND NOT a.attnum = ANY (i.indkey)
$$, 'every primary key and unique index of a tenant table includes the tenant column');

SELECT is_empty($$
  SELECT k.conrelid::regclass, k.conname
    FROM pg_constraint AS k
    JOIN tenant_table AS t ON t.oid = k.conrelid
    JOIN tenant_table AS r ON r.oid = k.confrelid
    JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attname = 'tenant_id'
    JOIN pg_attribute AS ra ON ra.attrelid = r.oid AND ra.attname = r.key_column
   WHERE k.contype = 'f'
     AND NOT (a.attnum = ANY (k.conkey) AND ra.attnum = ANY (k.confkey))
$$, 'every foreign key between tenant tables carries the tenant column on both sides');

-- Citus distributes a table only with what the functions reading it depend
-- on, and an SQL-standard body (BEGIN ATOMIC, RETURN) records every table it
-- reads: such a function reading a table Citus holds ties that table to
-- everything the function calls (20261204070400); a materialized view reads
-- tenant tables, and Citus walks it with them (20261204070700).
SELECT is_empty($$
  SELECT DISTINCT d.objid::regprocedure, d.refobjid::regclass
    FROM pg_depend AS d JOIN pg_proc AS p ON p.oid = d.objid
   WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND p.prosqlbody IS NOT NULL
     AND (d.refobjid IN (SELECT oid FROM tenant_table)
          OR d.refobjid IN (SELECT k.confrelid FROM pg_constraint AS k
                             WHERE k.contype = 'f' AND k.conrelid IN (SELECT oid FROM tenant_table))
          OR d.refobjid IN (SELECT oid FROM pg_class WHERE relkind = 'm'))
$$, 'no function with an SQL-standard body reads a tenant table, a table a tenant table references or a materialized view');

SELECT is_empty($$
  SELECT k.conrelid::regclass, k.conname FROM pg_constraint AS k
   WHERE k.contype = 'f' AND k.conrelid IN (SELECT oid FROM tenant_table) AND k.confdeltype IN ('n', 'd')
$$, 'no foreign key of a tenant table sets NULL or a default on delete (Citus refuses it on a key with the tenant column)');

SELECT * FROM finish();
ROLLBACK;
