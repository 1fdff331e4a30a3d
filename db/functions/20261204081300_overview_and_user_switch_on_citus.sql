-- migrate:up
-- Two more statements Citus refuses, found by access_tokens.sql on the
-- cluster (issue 16), in forms both engines run:
--
-- - skeldir.reconciliation_rows (every reconciliation overview and status
--   read) was a SQL-language function whose statement reads a reference
--   table (the platforms) with its parameter: 'parameterized queries for
--   SQL functions referencing distributed tables are not supported'. It is
--   PL/pgSQL, with the same query.
-- - admin.set_user_enabled stamped a disabled user with now() inside a
--   COALESCE of its UPDATE: 'non-IMMUTABLE functions are not allowed in
--   CASE or COALESCE statements'. The time is read before the statement
--   (the same value: now() is the transaction's).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.reconciliation_rows(tenant uuid) RETURNS SETOF analytics.mv_reconciliation_status
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  RETURN QUERY
  SELECT s.* FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant
  UNION ALL
  SELECT tenant, p.platform, p.side, p.display_name, 'pending'::skeldir.reconciliation_status, 0, 0, 0, 0, 0,
         '{}'::jsonb, NULL::timestamptz, NULL::text, NULL::uuid
    FROM skeldir.reconciliation_platforms AS p
   WHERE NOT EXISTS (SELECT 1 FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant);
END
$$;

RESET ROLE;
SELECT skeldir.rewrite_function('admin.set_user_enabled(uuid, text, boolean)', old, new, 1)
  FROM (VALUES
    (E'  u skeldir.users;\nBEGIN', E'  u skeldir.users;\n  disabled_now timestamptz := now();\nBEGIN'),
    ('coalesce(x.disabled_at, now())', 'coalesce(x.disabled_at, disabled_now)')
  ) AS c(old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
