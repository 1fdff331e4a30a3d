-- migrate:up
-- admin.audit becomes the union of rule sets, each a function of its own
-- returning (area, subject, detail, ok): the catalog rules of SPEC §2.1-2.2
-- (the former body, moved unchanged to skeldir.audit_privileges) and the
-- rules added since (skeldir.audit_replication: who may replicate, and
-- skeldir.audit_credentials: no api function takes a tenant or a user). A
-- new rule set is one more line here. The rule sets are
-- ordinary functions: only the owner runs them, through admin.audit.
SET LOCAL ROLE skeldir_owner;

ALTER FUNCTION admin.audit() SET SCHEMA skeldir;
ALTER FUNCTION skeldir.audit() RENAME TO audit_privileges;
ALTER FUNCTION skeldir.audit_privileges() SECURITY INVOKER;
REVOKE EXECUTE ON FUNCTION skeldir.audit_privileges() FROM skeldir_admin;

CREATE FUNCTION admin.audit()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT f.area, f.subject, f.detail, f.ok
    FROM (SELECT 1 AS rule_set, r.* FROM skeldir.audit_privileges() WITH ORDINALITY AS r
          UNION ALL
          SELECT 2, r.* FROM skeldir.audit_replication() WITH ORDINALITY AS r
          UNION ALL
          SELECT 3, r.* FROM skeldir.audit_credentials() WITH ORDINALITY AS r) AS f
   ORDER BY f.rule_set, f.ordinality;
END;
COMMENT ON FUNCTION admin.audit() IS
  'Every audit rule set: roles, grants, RLS, policies, tenant keys, definer functions, EXECUTE grants, replication logins, api parameters.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.audit();
ALTER FUNCTION skeldir.audit_privileges() SECURITY DEFINER;
ALTER FUNCTION skeldir.audit_privileges() RENAME TO audit;
ALTER FUNCTION skeldir.audit() SET SCHEMA admin;
GRANT EXECUTE ON FUNCTION admin.audit() TO skeldir_admin;
