-- migrate:up
-- The PII scan, by value: every text, text[], json and jsonb column of every
-- tenant table (found in the catalog), checked with the guard trigger's own
-- test (skeldir.pii_found): PII keys, and email addresses, IP addresses and
-- phone numbers in any value. pii_keys reports the keys and the kinds of
-- value found ("value:email"), never a value. One column is exempt: a
-- dashboard user's login email (skeldir.users.email), personal data the
-- product holds on purpose to let its user log in. The daily job
-- (worker.pii_scan) and admin.scan_pii read this one walk. strip_pii, which
-- removed keys before payloads were projected, has no caller left.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.scan_pii_at_rest()
RETURNS TABLE (table_name text, column_name text, rows_with_pii bigint, pii_keys text[])
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  col record;
BEGIN
  FOR col IN SELECT a.attrelid::regclass AS tbl, a.attname
               FROM skeldir.tenant_tables() AS t
               JOIN pg_catalog.pg_attribute AS a ON a.attrelid = t
              WHERE a.atttypid IN ('jsonb'::regtype, 'json'::regtype, 'text'::regtype, 'text[]'::regtype,
                                   'varchar'::regtype)
                AND a.attnum > 0 AND NOT a.attisdropped
                AND (a.attrelid, a.attname) <> ('skeldir.users'::regclass, 'email')
              ORDER BY 1, 2 LOOP
    table_name := col.tbl::text;
    column_name := col.attname;
    EXECUTE format($q$
      WITH hit AS MATERIALIZED (
        SELECT f.found FROM %1$s AS x, skeldir.pii_found(to_jsonb(x.%2$I)) AS f(found)
         WHERE cardinality(f.found) > 0
      )
      SELECT (SELECT count(*) FROM hit), ARRAY(SELECT DISTINCT k FROM hit, unnest(hit.found) AS k ORDER BY 1)
    $q$, col.tbl, col.attname)
      INTO rows_with_pii, pii_keys;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION skeldir.scan_pii_at_rest() IS
  'Per text/JSON column of every tenant table: the current tenant''s rows holding personal data, and what kind.';
COMMENT ON FUNCTION admin.scan_pii(uuid) IS
  'Per text/JSON column of every tenant table: how many of the tenant''s rows hold personal data.';

DROP FUNCTION skeldir.strip_pii(jsonb, text);

-- migrate:down
-- (skeldir.scan_pii_at_rest keeps this body; 20261126004300 defines the one before.)
SELECT 1;
