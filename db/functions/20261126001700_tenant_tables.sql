-- migrate:up
-- Which tables hold tenant data, read from the catalog rather than from a
-- list: every table in any non-system schema with a tenant_id column, plus the
-- tenants table itself (keyed by id). Readiness and the audit both walk it, so
-- a tenant table created anywhere is held to the rules at once.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.tenant_tables() RETURNS SETOF regclass
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT c.oid::regclass
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p')
     AND (c.oid = 'skeldir.tenants'::regclass
          OR EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   ORDER BY c.relname;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.tenant_tables();
