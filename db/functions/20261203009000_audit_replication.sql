-- migrate:up
-- Who may open replication connections (issue 13). A role with REPLICATION
-- streams WAL, and wherever pg_hba lets it reach the `replication` keyword it
-- can pg_basebackup the whole cluster: every tenant's rows, webhook secrets,
-- password hashes. The change feed needs one such role, a login of its own
-- that holds REPLICATION and nothing else: it only creates and streams its
-- slot, and makes every SQL call through the worker's login. So each role
-- with REPLICATION must be a login without SUPERUSER, CREATEDB, CREATEROLE or
-- BYPASSRLS, a member of no role, owning nothing and named in no grant or
-- policy in any database (pg_shdepend is cluster-wide); and no skeldir_*
-- group role may hold the attribute (it is not inherited, so a group with it
-- is a mistake waiting for a login to copy it). Superusers replicate
-- whatever their attributes say; they are listed, for the DBA, as facts.
--
-- One row per fact, as admin.audit() reports them, for admin.audit() to
-- include. It reads only catalogs every role may read, so it runs as its
-- caller (SECURITY INVOKER): admin.audit() runs as skeldir_owner, which owns
-- it; no caller role may execute it (a definer function granted to nobody
-- would itself be a deviation, see tests/sql/security_definer.sql).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.audit_replication()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
WITH
replicator AS (
  SELECT r.oid, r.rolname, r.rolcanlogin, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
         (SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname)
            FROM pg_auth_members AS am JOIN pg_roles AS g ON g.oid = am.roleid
           WHERE am.member = r.oid) AS member_of,
         (SELECT count(*) FROM pg_shdepend AS d
           WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid AND d.deptype = 'o') AS owns,
         (SELECT count(*) FROM pg_shdepend AS d
           WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid AND d.deptype IN ('a', 'r')) AS grants
    FROM pg_roles AS r
   WHERE r.rolreplication AND NOT r.rolsuper AND r.oid <> 10
),
report AS (
  -- Each role that may replicate: a login with REPLICATION and nothing else.
  SELECT 1 AS ord, 'replication' AS area, p.rolname::text AS subject,
         concat_ws('; ',
                   concat_ws(' ', CASE WHEN p.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END, 'REPLICATION',
                             CASE WHEN p.rolcreatedb THEN 'CREATEDB' END,
                             CASE WHEN p.rolcreaterole THEN 'CREATEROLE' END,
                             CASE WHEN p.rolbypassrls THEN 'BYPASSRLS' END),
                   'member of ' || coalesce(p.member_of, 'no role'),
                   format('owns %s objects, named in %s grants or policies (any database)', p.owns, p.grants)) AS detail,
         p.rolcanlogin AND NOT (p.rolcreatedb OR p.rolcreaterole OR p.rolbypassrls)
         AND p.member_of IS NULL AND p.owns = 0 AND p.grants = 0 AS ok
    FROM replicator AS p
  UNION ALL
  -- No group role carries the attribute.
  SELECT 2, 'replication_group', 'skeldir_* group roles',
         coalesce('REPLICATION: ' || string_agg(g.rolname, ', ' ORDER BY g.rolname),
                  'none has REPLICATION'),
         count(g.oid) = 0
    FROM pg_roles AS g
   WHERE g.rolname LIKE 'skeldir\_%' AND g.rolreplication
  UNION ALL
  -- Superusers may replicate regardless: listed, not judged (only pg_hba,
  -- with no line for the `replication` keyword, keeps base backups from them).
  SELECT 3, 'replication_superuser', s.rolname::text,
         concat_ws(' ', CASE WHEN s.oid = 10 THEN 'bootstrap superuser' ELSE 'SUPERUSER' END,
                   CASE WHEN s.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
                   '(may replicate whatever its attributes say)'),
         true
    FROM pg_roles AS s
   WHERE s.rolsuper
)
SELECT area, subject, detail, ok FROM report ORDER BY ord, NOT ok, subject;
END;
COMMENT ON FUNCTION skeldir.audit_replication() IS
  'Roles that may open replication connections: each a login with REPLICATION and nothing else, no skeldir_* group role with it; superusers listed. For admin.audit().';

REVOKE EXECUTE ON FUNCTION skeldir.audit_replication() FROM PUBLIC;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.audit_replication();
