-- migrate:up
-- Two more places Citus needs a form both engines run, found by
-- retention_pii_scan.sql and analyst_binding.sql on the cluster (issue 16):
--
-- - skeldir.prune_batch locks the rows it deletes (FOR UPDATE SKIP LOCKED)
--   with no tenant named: 'could not run distributed query with FOR
--   UPDATE/SHARE commands'. Its lock and delete now name the tenant in
--   context, which worker.retention always sets and the policies already
--   kept them to: the same rows.
-- - skeldir.tenant_tables (the tables the PII scan reads and the audits
--   walk) listed, on a Citus coordinator, the coordinator's own placements
--   of the reference tables (tenant_api_keys_102009 and the like) as
--   tenant tables of their own: the audit reported them without an analyst
--   policy, and the scan read them twice. Citus's shards are left out
--   (pg_catalog.relation_is_a_known_shard, asked only when Citus is there).
SELECT skeldir.rewrite_function('skeldir.prune_batch(skeldir.retention_rules)', old, new, 1)
  FROM (VALUES
    ('     WHERE x.ctid = ANY (ARRAY(SELECT y.ctid FROM %1$s AS y',
     E'     WHERE x.tenant_id = $4\n       AND x.ctid = ANY (ARRAY(SELECT y.ctid FROM %1$s AS y'),
    ('                                WHERE y.%2$I < $1 %3$s',
     '                                WHERE y.tenant_id = $4 AND y.%2$I < $1 %3$s'),
    ('    USING now() - rule.keep, rule.statuses, rule.batch_size;',
     '    USING now() - rule.keep, rule.statuses, rule.batch_size, skeldir.current_tenant_id();')
  ) AS c(old, new);

SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.tenant_tables() RETURNS SETOF regclass
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  shards oid[] := '{}';
BEGIN
  -- On a Citus coordinator the placements of reference tables (and of Citus
  -- local tables) are tables too; they are not tenant tables of their own.
  IF to_regproc('pg_catalog.relation_is_a_known_shard') IS NOT NULL THEN
    EXECUTE 'SELECT coalesce(array_agg(c.oid), ''{}'') FROM pg_catalog.pg_class AS c
              WHERE c.relkind IN (''r'', ''p'') AND pg_catalog.relation_is_a_known_shard(c.oid)' INTO shards;
  END IF;
  RETURN QUERY
  SELECT c.oid::regclass
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p')
     AND c.oid <> ALL (shards)
     AND (c.oid = 'skeldir.tenants'::regclass
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   ORDER BY c.relname;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
