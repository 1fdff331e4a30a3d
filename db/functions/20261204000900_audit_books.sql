-- migrate:up
-- The audit's rules for the books (20261204000700) and for coordination
-- (20261204000300). The books are the tables listed here and any table that
-- carries the append-only trigger: each must belong to skeldir_books, keep
-- both append-only triggers enabled, and let no role but skeldir_books (and
-- superusers, whom nothing binds) UPDATE, DELETE, TRUNCATE or add triggers;
-- skeldir_books itself must stay a role that nobody is and that nothing
-- runs as. No function may take an advisory lock: any session could take
-- the same key (the product takes turns on skeldir.turns).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.audit_books()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH
  books AS (
    SELECT c.oid, c.relowner
      FROM pg_catalog.pg_class AS c
     WHERE c.oid IN (SELECT to_regclass(x) FROM unnest(ARRAY['skeldir.attribution_events', 'skeldir.revenue_ledger',
                                                              'skeldir.llm_api_calls',
                                                              'skeldir.attribution_credit_history']) AS x)
        OR c.oid IN (SELECT t.tgrelid FROM pg_catalog.pg_trigger AS t
                      WHERE t.tgfoid = 'skeldir.forbid_change()'::regprocedure)
  ),
  books_role AS (
    SELECT r.* FROM pg_catalog.pg_roles AS r WHERE r.rolname = 'skeldir_books'
  ),
  report AS (
    SELECT 1 AS ord, 'books_role' AS area, 'skeldir_books' AS subject,
           CASE WHEN NOT EXISTS (SELECT FROM books_role) THEN 'missing'
                ELSE concat_ws(', ',
                       (SELECT CASE WHEN r.rolcanlogin OR r.rolsuper OR r.rolbypassrls OR r.rolcreaterole
                                         OR r.rolcreatedb OR r.rolreplication
                                    THEN 'may log in or holds an attribute' END FROM books_role AS r),
                       (SELECT 'members: ' || string_agg(m.member::regrole::text, ' ' ORDER BY 1)
                          FROM pg_catalog.pg_auth_members AS m, books_role AS r WHERE m.roleid = r.oid
                        HAVING count(*) > 0),
                       (SELECT 'member of: ' || string_agg(m.roleid::regrole::text, ' ' ORDER BY 1)
                          FROM pg_catalog.pg_auth_members AS m, books_role AS r WHERE m.member = r.oid
                        HAVING count(*) > 0),
                       (SELECT 'owns functions: ' || string_agg(p.oid::regprocedure::text, ' ' ORDER BY 1)
                          FROM pg_catalog.pg_proc AS p, books_role AS r WHERE p.proowner = r.oid
                        HAVING count(*) > 0)) END AS detail
    UNION ALL
    SELECT 2, 'books_owner', b.oid::regclass::text, b.relowner::regrole::text
      FROM books AS b
    UNION ALL
    SELECT 3, 'books_trigger', b.oid::regclass::text || ' ' || w.name,
           coalesce((SELECT CASE t.tgenabled WHEN 'D' THEN 'disabled' ELSE 'enabled' END
                       FROM pg_catalog.pg_trigger AS t
                      WHERE t.tgrelid = b.oid AND t.tgname = w.name
                        AND t.tgfoid = 'skeldir.forbid_change()'::regprocedure), 'missing')
      FROM books AS b CROSS JOIN (VALUES ('append_only'), ('append_only_truncate')) AS w(name)
    UNION ALL
    SELECT 4, 'books_privilege', r.rolname || ' on ' || b.oid::regclass::text,
           concat_ws(' ', CASE WHEN pg_catalog.has_any_column_privilege(r.oid, b.oid, 'UPDATE') THEN 'UPDATE' END,
                          CASE WHEN pg_catalog.has_table_privilege(r.oid, b.oid, 'DELETE') THEN 'DELETE' END,
                          CASE WHEN pg_catalog.has_table_privilege(r.oid, b.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                          CASE WHEN pg_catalog.has_table_privilege(r.oid, b.oid, 'TRIGGER') THEN 'TRIGGER' END)
      FROM books AS b CROSS JOIN pg_catalog.pg_roles AS r
     WHERE r.rolname <> 'skeldir_books' AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\_%'
       AND (pg_catalog.has_any_column_privilege(r.oid, b.oid, 'UPDATE')
            OR pg_catalog.has_table_privilege(r.oid, b.oid, 'DELETE')
            OR pg_catalog.has_table_privilege(r.oid, b.oid, 'TRUNCATE')
            OR pg_catalog.has_table_privilege(r.oid, b.oid, 'TRIGGER'))
    UNION ALL
    SELECT 5, 'advisory_lock', p.oid::regprocedure::text, 'takes an advisory lock'
      FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
     WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
       AND p.prosrc ~ 'pg_(try_)?advisory_'
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  )
  SELECT r.area, r.subject, r.detail,
         CASE r.area WHEN 'books_role' THEN r.detail = ''
                     WHEN 'books_owner' THEN r.detail = 'skeldir_books'
                     WHEN 'books_trigger' THEN r.detail = 'enabled'
                     ELSE false END
    FROM report AS r
   ORDER BY r.ord, r.subject;
END;

COMMENT ON FUNCTION skeldir.audit_books() IS
  'Audit rules: the append-only books belong to skeldir_books, keep their triggers, and no one else may change them; no function takes an advisory lock.';

CREATE OR REPLACE FUNCTION admin.audit()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT f.area, f.subject, f.detail, f.ok
    FROM (SELECT 1 AS rule_set, r.* FROM skeldir.audit_privileges() WITH ORDINALITY AS r
          UNION ALL
          SELECT 2, r.* FROM skeldir.audit_replication() WITH ORDINALITY AS r
          UNION ALL
          SELECT 3, r.* FROM skeldir.audit_credentials() WITH ORDINALITY AS r
          UNION ALL
          SELECT 4, r.* FROM skeldir.audit_analysts() WITH ORDINALITY AS r
          UNION ALL
          SELECT 5, r.* FROM skeldir.audit_books() WITH ORDINALITY AS r) AS f
   ORDER BY f.rule_set, f.ordinality;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
CREATE OR REPLACE FUNCTION admin.audit()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT f.area, f.subject, f.detail, f.ok
    FROM (SELECT 1 AS rule_set, r.* FROM skeldir.audit_privileges() WITH ORDINALITY AS r
          UNION ALL
          SELECT 2, r.* FROM skeldir.audit_replication() WITH ORDINALITY AS r
          UNION ALL
          SELECT 3, r.* FROM skeldir.audit_credentials() WITH ORDINALITY AS r
          UNION ALL
          SELECT 4, r.* FROM skeldir.audit_analysts() WITH ORDINALITY AS r) AS f
   ORDER BY f.rule_set, f.ordinality;
END;
DROP FUNCTION skeldir.audit_books();
