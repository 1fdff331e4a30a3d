-- migrate:up
-- The PII scan (SPEC §4.4): every jsonb column of every tenant table, walked
-- from the catalog, checked with the same path the insert trigger uses. It
-- should always come back empty; a row here means personal data is at rest.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.scan_pii(tenant_id uuid)
RETURNS TABLE (table_name text, column_name text, rows_with_pii bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  col record;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  FOR col IN SELECT a.attrelid::regclass AS tbl, a.attname
               FROM skeldir.tenant_tables() AS t
               JOIN pg_attribute AS a ON a.attrelid = t
              WHERE a.atttypid = 'jsonb'::regtype AND a.attnum > 0 AND NOT a.attisdropped LOOP
    table_name := col.tbl::text;
    column_name := col.attname;
    EXECUTE format('SELECT count(*) FROM %s WHERE skeldir.contains_pii(%I)', col.tbl, col.attname)
      INTO rows_with_pii;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION admin.scan_pii(uuid) IS
  'Per jsonb column of every tenant table: how many of the tenant''s rows hold a PII key.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.scan_pii(uuid);
