-- migrate:up
-- The PII scan (SPEC §4.4), for the tenant in the current context: every
-- json and jsonb column of every tenant table, found in the catalog, filtered
-- with the insert trigger's own test (contains_pii). For the rows that hold
-- PII, strip_pii names what it would remove; the scan keeps only those key
-- names, lowercased (so always entries of pii_keys()), never a value. It
-- should always come back empty; a row here means personal data is at rest.
-- Operators run it (admin.scan_pii), and so does the daily job
-- (worker.pii_scan), from this one walk.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.scan_pii_at_rest()
RETURNS TABLE (table_name text, column_name text, rows_with_pii bigint, pii_keys text[])
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  col record;
BEGIN
  FOR col IN SELECT a.attrelid::regclass AS tbl, a.attname
               FROM skeldir.tenant_tables() AS t
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = t
              WHERE a.atttypid IN ('jsonb'::regtype, 'json'::regtype) AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY 1, 2 LOOP
    table_name := col.tbl::text;
    column_name := col.attname;
    EXECUTE format($q$
      WITH hit AS MATERIALIZED (
        SELECT (skeldir.strip_pii(x.%2$I::jsonb)).removed AS paths
          FROM %1$s AS x WHERE skeldir.contains_pii(x.%2$I::jsonb)
      )
      SELECT (SELECT count(*) FROM hit),
             ARRAY(SELECT DISTINCT lower(substring(p FROM '[^.]*$')) FROM hit, unnest(hit.paths) AS p ORDER BY 1)
    $q$, col.tbl, col.attname)
      INTO rows_with_pii, pii_keys;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION skeldir.scan_pii_at_rest() IS
  'Per json/jsonb column of every tenant table: the current tenant''s rows holding a PII key, and which keys.';

CREATE FUNCTION admin.scan_pii(tenant_id uuid)
RETURNS TABLE (table_name text, column_name text, rows_with_pii bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN QUERY SELECT s.table_name, s.column_name, s.rows_with_pii FROM skeldir.scan_pii_at_rest() AS s;
END
$$;

COMMENT ON FUNCTION admin.scan_pii(uuid) IS
  'Per json/jsonb column of every tenant table: how many of the tenant''s rows hold a PII key.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.scan_pii(uuid);
DROP FUNCTION skeldir.scan_pii_at_rest();
