-- migrate:up
-- The policies call their helpers directly, in the form SPEC §2.2 gives
-- (`tenant_id = <helper>()`), instead of through a sub-select evaluated once
-- per query (issue 16): Citus refuses a policy with a subquery on a
-- distributed table ("Subqueries are not supported in policies on
-- distributed tables", make test-citus, SKELDIR_CITUS_DISTRIBUTE=late), and
-- the conversion of a lookup to a reference table recreates the policies
-- of the tables that reference it ("cannot create policy").
--
-- The cost is the helper per row on a scan that filters by policy rather
-- than by an index on the tenant column: 0.5 µs a row for
-- skeldir.current_tenant_id (20261204070500). An index scan on the tenant
-- column evaluates it once, as before.
--
-- skeldir.isolate_by_tenant, the one way a table becomes a tenant table,
-- now also gives it the analysts' binding (20261203010200), which later
-- tenant tables had to add by hand. The audit (skeldir.audit_privileges,
-- skeldir.audit_analysts) expects the new form; their bodies are those of
-- 20261204070400 but for it.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.isolate_by_tenant(tbl regclass, key_column name DEFAULT 'tenant_id')
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (%2$I = skeldir.current_tenant_id())'
                 ' WITH CHECK (%2$I = skeldir.current_tenant_id())', tbl, key_column);
  EXECUTE format('CREATE POLICY analyst_binding ON %s AS RESTRICTIVE FOR SELECT TO skeldir_readonly'
                 ' USING (%I = skeldir.analyst_tenant())', tbl, key_column);
END
$$;

-- As the migrating superuser: skeldir_books owns the books tables
-- (attribution_events, revenue_ledger, attribution_credit_history,
-- llm_api_calls), and only a table's owner alters its policies.
RESET ROLE;
DO $$
DECLARE
  t regclass;
  key name;
BEGIN
  FOR t IN SELECT * FROM skeldir.tenant_tables() LOOP
    key := CASE WHEN t = 'skeldir.tenants'::regclass THEN 'id' ELSE 'tenant_id' END;
    EXECUTE format('ALTER POLICY tenant_isolation ON %s USING (%2$I = skeldir.current_tenant_id())'
                   ' WITH CHECK (%2$I = skeldir.current_tenant_id())', t, key);
    EXECUTE format('ALTER POLICY analyst_binding ON %s USING (%I = skeldir.analyst_tenant())', t, key);
  END LOOP;
END
$$;

ALTER POLICY tenant_directory ON skeldir.tenants USING (skeldir.current_tenant_id() = skeldir.system_tenant());
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.audit_privileges()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH
group_role (rolname, caller_schema) AS (
  VALUES ('skeldir_owner', NULL), ('skeldir_api', 'api'), ('skeldir_worker', 'worker'),
         ('skeldir_admin', 'admin'), ('skeldir_readonly', NULL)
),
caller_role AS (
  SELECT g.* FROM group_role AS g JOIN pg_roles AS r USING (rolname)
   WHERE g.rolname <> 'skeldir_owner'
),
user_schema AS (
  SELECT oid, nspname FROM pg_namespace
   WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
),
-- Objects an extension brings (pgcrypto's functions, pgTAP's views) keep
-- the extension's own ACLs and are left out.
relation AS (
  SELECT c.oid, c.relkind, c.relacl, s.nspname
    FROM pg_class AS c JOIN user_schema AS s ON s.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     AND NOT EXISTS (SELECT FROM pg_depend AS d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
routine AS (
  SELECT p.oid, p.prosecdef, p.proowner, p.proconfig, s.nspname,
         aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS acl
    FROM pg_proc AS p JOIN user_schema AS s ON s.oid = p.pronamespace
),
table_privilege AS (
  SELECT r.oid, r.nspname, g.rolname,
         array_remove(ARRAY[
           CASE WHEN r.relkind <> 'S' AND has_any_column_privilege(g.rolname, r.oid, 'SELECT') THEN 'SELECT' END,
           CASE WHEN r.relkind <> 'S' AND has_any_column_privilege(g.rolname, r.oid, 'INSERT') THEN 'INSERT' END,
           CASE WHEN r.relkind <> 'S' AND has_any_column_privilege(g.rolname, r.oid, 'UPDATE') THEN 'UPDATE' END,
           CASE WHEN r.relkind <> 'S' AND has_table_privilege(g.rolname, r.oid, 'DELETE') THEN 'DELETE' END,
           CASE WHEN r.relkind <> 'S' AND has_table_privilege(g.rolname, r.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
           CASE WHEN r.relkind <> 'S' AND has_any_column_privilege(g.rolname, r.oid, 'REFERENCES') THEN 'REFERENCES' END,
           CASE WHEN r.relkind <> 'S' AND has_table_privilege(g.rolname, r.oid, 'TRIGGER') THEN 'TRIGGER' END,
           CASE WHEN r.relkind = 'S' AND has_sequence_privilege(g.rolname, r.oid, 'USAGE') THEN 'USAGE' END,
           CASE WHEN r.relkind = 'S' AND has_sequence_privilege(g.rolname, r.oid, 'SELECT') THEN 'SELECT' END,
           CASE WHEN r.relkind = 'S' AND has_sequence_privilege(g.rolname, r.oid, 'UPDATE') THEN 'UPDATE' END
         ], NULL) AS privileges
    FROM relation AS r CROSS JOIN caller_role AS g
  UNION ALL
  SELECT r.oid, r.nspname, 'PUBLIC', array_agg(a.privilege_type ORDER BY a.privilege_type)
    FROM relation AS r CROSS JOIN LATERAL aclexplode(r.relacl) AS a
   WHERE a.grantee = 0
   GROUP BY r.oid, r.nspname
),
tenant_table AS (
  SELECT t AS oid,
         CASE WHEN t = 'skeldir.tenants'::regclass THEN 'id' ELSE 'tenant_id' END AS key_column
    FROM skeldir.tenant_tables() AS t
),
report AS (
  -- Group roles exist and cannot log in or bypass anything.
  SELECT 1 AS ord, 'role' AS area, g.rolname AS subject,
         CASE WHEN r.oid IS NULL THEN 'missing'
              ELSE concat_ws(' ', CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
                             CASE WHEN r.rolsuper THEN 'SUPERUSER' END,
                             CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                             CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
                             CASE WHEN r.rolcreatedb THEN 'CREATEDB' END) END AS detail,
         coalesce(NOT (r.rolcanlogin OR r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb),
                  false) AS ok
    FROM group_role AS g LEFT JOIN pg_roles AS r USING (rolname)
  UNION ALL
  -- A login role belongs to one caller role, so it has one job.
  SELECT 2, 'membership', m.rolname,
         'member of ' || string_agg(g.rolname, ', ' ORDER BY g.rolname),
         count(*) = 1
    FROM pg_auth_members AS am
    JOIN pg_roles AS g ON g.oid = am.roleid
    JOIN caller_role AS c ON c.rolname = g.rolname
    JOIN pg_roles AS m ON m.oid = am.member
   GROUP BY m.rolname
  UNION ALL
  -- Callers hold no privilege on any table, view or sequence; analysts may
  -- only SELECT.
  SELECT 3, 'table_privilege', p.rolname || ' on ' || p.oid::regclass::text,
         array_to_string(p.privileges, ', '),
         p.rolname = 'skeldir_readonly' AND p.privileges = ARRAY['SELECT']
    FROM table_privilege AS p
   WHERE cardinality(p.privileges) > 0
  UNION ALL
  -- Tenant tables: RLS enabled and forced, with the tenant policy for every
  -- command.
  SELECT 4, 'rls', t.oid::regclass::text,
         format('enabled=%s forced=%s tenant_policy=%s', c.relrowsecurity, c.relforcerowsecurity,
                coalesce(pol.polname, 'missing')),
         c.relrowsecurity AND c.relforcerowsecurity AND pol.polname IS NOT NULL
    FROM tenant_table AS t
    JOIN pg_class AS c ON c.oid = t.oid
    LEFT JOIN LATERAL (
      SELECT p.polname FROM pg_policy AS p
       WHERE p.polrelid = t.oid AND p.polcmd = '*' AND p.polpermissive AND p.polroles = '{0}'
         AND pg_get_expr(p.polqual, p.polrelid) = format('(%s = skeldir.current_tenant_id())', t.key_column)
         AND pg_get_expr(p.polwithcheck, p.polrelid) = format('(%s = skeldir.current_tenant_id())', t.key_column)
       LIMIT 1) AS pol ON true
  UNION ALL
  SELECT 5, 'policy', p.polrelid::regclass::text || ' ' || p.polname,
         format('%s %s USING %s%s',
                CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
                CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                              WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END,
                pg_get_expr(p.polqual, p.polrelid),
                ' WITH CHECK ' || pg_get_expr(p.polwithcheck, p.polrelid)),
         true
    FROM pg_policy AS p
  UNION ALL
  -- Every key of a tenant table includes the tenant column, so the schema
  -- shards by tenant. Foreign keys to shared reference tables (which have no
  -- tenant column) are allowed.
  SELECT 6, 'tenant_key', t.oid::regclass::text || ' ' || k.conname,
         pg_get_constraintdef(k.oid),
         EXISTS (SELECT FROM pg_attribute AS a
                  WHERE a.attrelid = t.oid AND a.attname = t.key_column AND a.attnum = ANY (k.conkey))
         OR (k.contype = 'f' AND NOT EXISTS (SELECT FROM tenant_table AS r WHERE r.oid = k.confrelid))
    FROM tenant_table AS t JOIN pg_constraint AS k ON k.conrelid = t.oid
   WHERE k.contype IN ('p', 'u', 'f')
  UNION ALL
  -- Definer functions: owned by skeldir_owner, search_path pinned with
  -- pg_temp last, not executable by PUBLIC, granted to exactly one role.
  SELECT 7, 'definer', f.oid::regprocedure::text,
         format('owner=%s search_path=%s execute=%s', f.proowner::regrole,
                coalesce(f.search_path, 'unset'), coalesce(f.grantees, 'nobody')),
         pg_get_userbyid(f.proowner) = 'skeldir_owner'
         AND f.search_path ~ '(^|, )pg_temp$' AND f.search_path !~ '(public|\$user)'
         AND f.grantee_count = 1 AND f.grantees IN (SELECT rolname FROM caller_role)
    FROM (SELECT r.oid, r.proowner,
                 (SELECT substr(c, length('search_path=') + 1) FROM unnest(r.proconfig) AS c
                   WHERE c LIKE 'search_path=%') AS search_path,
                 string_agg(CASE WHEN (r.acl).grantee = 0 THEN 'PUBLIC'
                                 ELSE (r.acl).grantee::regrole::text END, ', ' ORDER BY (r.acl).grantee) AS grantees,
                 count(*) AS grantee_count
            FROM routine AS r
           WHERE r.prosecdef AND (r.acl).privilege_type = 'EXECUTE' AND (r.acl).grantee <> r.proowner
           GROUP BY r.oid, r.proowner, r.proconfig
          UNION ALL
          SELECT p.oid, p.proowner, NULL, NULL, 0
            FROM pg_proc AS p JOIN user_schema AS s ON s.oid = p.pronamespace
           WHERE p.prosecdef
             AND NOT EXISTS (SELECT FROM routine AS r
                              WHERE r.oid = p.oid AND (r.acl).privilege_type = 'EXECUTE'
                                AND (r.acl).grantee <> r.proowner)) AS f
  UNION ALL
  -- Each caller executes the functions of its own schema, all of them, and
  -- nothing else (analysts: the two functions their policies call): a function its caller cannot run is the seed's 500 waiting
  -- to happen, and a stray grant is a hole waiting for a USAGE grant.
  SELECT 8, 'execute', g.rolname || ' on ' || p.oid::regprocedure::text,
         CASE WHEN x.granted AND x.usable THEN 'granted'
              WHEN x.granted THEN 'granted (schema not usable)'
              ELSE 'not granted' END,
         CASE WHEN x.own THEN x.granted AND x.usable ELSE NOT x.granted END
    FROM pg_proc AS p
    JOIN user_schema AS s ON s.oid = p.pronamespace
    CROSS JOIN caller_role AS g
    CROSS JOIN LATERAL (
      SELECT has_function_privilege(g.rolname, p.oid, 'EXECUTE') AS granted,
             has_schema_privilege(g.rolname, s.oid, 'USAGE') AS usable,
             s.nspname = g.caller_schema
             OR (g.rolname = 'skeldir_readonly'
                 AND p.oid IN ('skeldir.current_tenant_id()'::regprocedure, 'skeldir.analyst_tenant()'::regprocedure)) AS own
    ) AS x
   WHERE NOT EXISTS (SELECT FROM pg_depend AS d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     AND (x.granted OR x.own)
  UNION ALL
  -- The owner of the materialized views, whose refresh must see every
  -- tenant: it bypasses RLS and may do nothing else, only skeldir_owner
  -- becomes it, and it owns materialized views (and their indexes) only.
  SELECT 9, 'analytics_role', r.rolname,
         concat_ws(' ', CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
                   CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                   CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
                   'members=' || array_to_string(coalesce(m.members, '{}'), ',')),
         NOT (r.rolcanlogin OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb) AND r.rolbypassrls
         AND coalesce(m.members, '{}') = ARRAY['skeldir_owner']
    FROM pg_roles AS r
    LEFT JOIN LATERAL (SELECT array_agg(x.rolname::text ORDER BY x.rolname) AS members
                         FROM pg_auth_members AS am JOIN pg_roles AS x ON x.oid = am.member
                        WHERE am.roleid = r.oid) AS m ON true
   WHERE r.rolname = 'skeldir_analytics'
  UNION ALL
  SELECT 10, 'analytics_owns', c.oid::regclass::text,
         CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' ELSE 'relkind ' || c.relkind::text END,
         c.relkind = 'm' OR (c.relkind = 'i' AND EXISTS (SELECT FROM pg_index AS i JOIN pg_class AS v ON v.oid = i.indrelid
                                                          WHERE i.indexrelid = c.oid AND v.relkind = 'm'))
    FROM pg_class AS c JOIN pg_roles AS r ON r.oid = c.relowner
   WHERE r.rolname = 'skeldir_analytics' AND c.relnamespace <> 'pg_toast'::regnamespace
)
SELECT area, subject, detail, ok FROM report ORDER BY ord, NOT ok, subject;
$$;

CREATE OR REPLACE FUNCTION skeldir.audit_analysts()
RETURNS TABLE (area text, subject text, detail text, ok boolean)
LANGUAGE sql STABLE
AS $$
  SELECT 'analyst_binding', t::text,
         coalesce(p.polname::text, 'missing'),
         p.polname IS NOT NULL
    FROM skeldir.tenant_tables() AS t
    LEFT JOIN LATERAL (
      SELECT x.polname FROM pg_catalog.pg_policy AS x
       WHERE x.polrelid = t AND NOT x.polpermissive AND x.polcmd IN ('r', '*')
         AND x.polroles = ARRAY[(SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = 'skeldir_readonly')]
         AND pg_catalog.pg_get_expr(x.polqual, x.polrelid)
             = format('(%s = skeldir.analyst_tenant())',
                      CASE WHEN t = 'skeldir.tenants'::regclass THEN 'id' ELSE 'tenant_id' END)
       LIMIT 1) AS p ON true
  UNION ALL
  SELECT 'analyst_column', a.attrelid::regclass::text || '.' || a.attname, 'readable by skeldir_readonly', false
    FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
     AND a.attname ~ '(^|_)(email|password|secret|token|hash|ip|phone)(_|$)'
     AND pg_catalog.has_column_privilege('skeldir_readonly', a.attrelid, a.attnum, 'SELECT');
$$;

-- migrate:down
-- (Forward only, README "Migrations": the policies keep this form.)
SELECT 1;
