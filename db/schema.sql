--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: admin; Type: SCHEMA; Schema: -; Owner: skeldir_owner
--

CREATE SCHEMA admin;

ALTER SCHEMA admin OWNER TO skeldir_owner;

--
-- Name: SCHEMA admin; Type: COMMENT; Schema: -; Owner: skeldir_owner
--

COMMENT ON SCHEMA admin IS 'Entry points called by operators through skeldird (role skeldir_admin).';

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: skeldir_analytics
--

CREATE SCHEMA analytics;

ALTER SCHEMA analytics OWNER TO skeldir_analytics;

--
-- Name: SCHEMA analytics; Type: COMMENT; Schema: -; Owner: skeldir_analytics
--

COMMENT ON SCHEMA analytics IS 'Materialized views over every tenant; read only through api functions.';

--
-- Name: api; Type: SCHEMA; Schema: -; Owner: skeldir_owner
--

CREATE SCHEMA api;

ALTER SCHEMA api OWNER TO skeldir_owner;

--
-- Name: SCHEMA api; Type: COMMENT; Schema: -; Owner: skeldir_owner
--

COMMENT ON SCHEMA api IS 'Entry points called by the HTTP daemon (role skeldir_api).';

--
-- Name: extensions; Type: SCHEMA; Schema: -; Owner: skeldir_owner
--

CREATE SCHEMA extensions;

ALTER SCHEMA extensions OWNER TO skeldir_owner;

--
-- Name: SCHEMA extensions; Type: COMMENT; Schema: -; Owner: skeldir_owner
--

COMMENT ON SCHEMA extensions IS 'Extensions, always called schema-qualified.';

--
-- Name: skeldir; Type: SCHEMA; Schema: -; Owner: skeldir_owner
--

CREATE SCHEMA skeldir;

ALTER SCHEMA skeldir OWNER TO skeldir_owner;

--
-- Name: SCHEMA skeldir; Type: COMMENT; Schema: -; Owner: skeldir_owner
--

COMMENT ON SCHEMA skeldir IS 'Tables and internal helpers. No runtime role may use it.';

--
-- Name: worker; Type: SCHEMA; Schema: -; Owner: skeldir_owner
--

CREATE SCHEMA worker;

ALTER SCHEMA worker OWNER TO skeldir_owner;

--
-- Name: SCHEMA worker; Type: COMMENT; Schema: -; Owner: skeldir_owner
--

COMMENT ON SCHEMA worker IS 'Entry points called by the work loop (role skeldir_worker).';

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

--
-- Name: attribution_model; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.attribution_model AS ENUM (
    'last_touch',
    'first_touch',
    'linear',
    'time_decay',
    'position_based'
);

ALTER TYPE skeldir.attribution_model OWNER TO skeldir_owner;

--
-- Name: event_type; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.event_type AS ENUM (
    'purchase',
    'refund',
    'checkout',
    'order_update'
);

ALTER TYPE skeldir.event_type OWNER TO skeldir_owner;

--
-- Name: ledger_state; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.ledger_state AS ENUM (
    'captured',
    'refunded',
    'chargeback'
);

ALTER TYPE skeldir.ledger_state OWNER TO skeldir_owner;

--
-- Name: money_movement; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.money_movement AS (
	transaction_id text,
	state skeldir.ledger_state,
	amount_cents bigint,
	occurred_at timestamp with time zone
);

ALTER TYPE skeldir.money_movement OWNER TO skeldir_owner;

--
-- Name: delivery; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.delivery AS (
	external_id text,
	order_id text,
	transaction_id text,
	ledger_state skeldir.ledger_state,
	revenue_cents bigint,
	currency text,
	occurred_at timestamp with time zone,
	session_id text,
	utm_source text,
	utm_medium text,
	referrer text,
	event_type skeldir.event_type,
	movements skeldir.money_movement[],
	reverses_transaction_id text,
	refund_cap_cents bigint
);

ALTER TYPE skeldir.delivery OWNER TO skeldir_owner;

--
-- Name: job_state; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.job_state AS ENUM (
    'available',
    'running',
    'completed',
    'dead'
);

ALTER TYPE skeldir.job_state OWNER TO skeldir_owner;

--
-- Name: llm_decision; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.llm_decision AS ENUM (
    'allow',
    'block',
    'fallback'
);

ALTER TYPE skeldir.llm_decision OWNER TO skeldir_owner;

--
-- Name: llm_feature; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.llm_feature AS ENUM (
    'explanation',
    'investigation',
    'budget_optimization'
);

ALTER TYPE skeldir.llm_feature OWNER TO skeldir_owner;

--
-- Name: llm_job_status; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.llm_job_status AS ENUM (
    'pending',
    'running',
    'completed',
    'failed'
);

ALTER TYPE skeldir.llm_job_status OWNER TO skeldir_owner;

--
-- Name: llm_on_exceed; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.llm_on_exceed AS ENUM (
    'block',
    'fallback'
);

ALTER TYPE skeldir.llm_on_exceed OWNER TO skeldir_owner;

--
-- Name: queue; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.queue AS ENUM (
    'housekeeping',
    'maintenance',
    'llm',
    'attribution'
);

ALTER TYPE skeldir.queue OWNER TO skeldir_owner;

--
-- Name: reconciliation_outcome; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.reconciliation_outcome AS ENUM (
    'verified',
    'ghost',
    'discrepancy'
);

ALTER TYPE skeldir.reconciliation_outcome OWNER TO skeldir_owner;

--
-- Name: reconciliation_run_status; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.reconciliation_run_status AS ENUM (
    'queued',
    'completed',
    'failed'
);

ALTER TYPE skeldir.reconciliation_run_status OWNER TO skeldir_owner;

--
-- Name: reconciliation_status; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.reconciliation_status AS ENUM (
    'verified',
    'partial',
    'pending',
    'failed'
);

ALTER TYPE skeldir.reconciliation_status OWNER TO skeldir_owner;

--
-- Name: remediation_status; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.remediation_status AS ENUM (
    'pending',
    'in_progress',
    'resolved',
    'abandoned'
);

ALTER TYPE skeldir.remediation_status OWNER TO skeldir_owner;

--
-- Name: vendor; Type: TYPE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TYPE skeldir.vendor AS ENUM (
    'shopify',
    'stripe',
    'paypal',
    'woocommerce'
);

ALTER TYPE skeldir.vendor OWNER TO skeldir_owner;

--
-- Name: audit_analysts(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.audit_analysts() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE
    AS $_$
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
$_$;

ALTER FUNCTION skeldir.audit_analysts() OWNER TO skeldir_owner;

--
-- Name: forbid_change(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.forbid_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

ALTER FUNCTION skeldir.forbid_change() OWNER TO skeldir_owner;

--
-- Name: audit_books(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.audit_books() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 WITH books AS (
          SELECT c.oid,
             c.relowner
            FROM pg_class c
           WHERE ((c.oid IN ( SELECT to_regclass(x.x) AS to_regclass
                    FROM unnest(ARRAY['skeldir.attribution_events'::text, 'skeldir.revenue_ledger'::text, 'skeldir.llm_api_calls'::text, 'skeldir.attribution_credit_history'::text]) x(x))) OR (c.oid IN ( SELECT t.tgrelid
                    FROM pg_trigger t
                   WHERE (t.tgfoid = ('skeldir.forbid_change()'::regprocedure)::oid))))
         ), books_role AS (
          SELECT r_1.rolname,
             r_1.rolsuper,
             r_1.rolinherit,
             r_1.rolcreaterole,
             r_1.rolcreatedb,
             r_1.rolcanlogin,
             r_1.rolreplication,
             r_1.rolconnlimit,
             r_1.rolpassword,
             r_1.rolvaliduntil,
             r_1.rolbypassrls,
             r_1.rolconfig,
             r_1.oid
            FROM pg_roles r_1
           WHERE (r_1.rolname = 'skeldir_books'::name)
         ), report AS (
          SELECT 1 AS ord,
             'books_role'::text AS area,
             'skeldir_books'::text AS subject,
                 CASE
                     WHEN (NOT (EXISTS ( SELECT 1
                        FROM books_role))) THEN 'missing'::text
                     ELSE concat_ws(', '::text, ( SELECT
                             CASE
                                 WHEN (r_1.rolcanlogin OR r_1.rolsuper OR r_1.rolbypassrls OR r_1.rolcreaterole OR r_1.rolcreatedb OR r_1.rolreplication) THEN 'may log in or holds an attribute'::text
                                 ELSE NULL::text
                             END AS "case"
                        FROM books_role r_1), ( SELECT ('members: '::text || string_agg(((m.member)::regrole)::text, ' '::text ORDER BY 1::integer))
                        FROM pg_auth_members m,
                         books_role r_1
                       WHERE (m.roleid = r_1.oid)
                      HAVING (count(*) > 0)), ( SELECT ('member of: '::text || string_agg(((m.roleid)::regrole)::text, ' '::text ORDER BY 1::integer))
                        FROM pg_auth_members m,
                         books_role r_1
                       WHERE (m.member = r_1.oid)
                      HAVING (count(*) > 0)), ( SELECT ('owns functions: '::text || string_agg(((p.oid)::regprocedure)::text, ' '::text ORDER BY 1::integer))
                        FROM pg_proc p,
                         books_role r_1
                       WHERE (p.proowner = r_1.oid)
                      HAVING (count(*) > 0)))
                 END AS detail
         UNION ALL
          SELECT 2,
             'books_owner'::text AS text,
             ((b.oid)::regclass)::text AS oid,
             ((b.relowner)::regrole)::text AS relowner
            FROM books b
         UNION ALL
          SELECT 3,
             'books_trigger'::text AS text,
             ((((b.oid)::regclass)::text || ' '::text) || w.name),
             COALESCE(( SELECT
                         CASE t.tgenabled
                             WHEN 'D'::"char" THEN 'disabled'::text
                             ELSE 'enabled'::text
                         END AS "case"
                    FROM pg_trigger t
                   WHERE ((t.tgrelid = b.oid) AND (t.tgname = w.name) AND (t.tgfoid = ('skeldir.forbid_change()'::regprocedure)::oid))), 'missing'::text) AS "coalesce"
            FROM (books b
              CROSS JOIN ( VALUES ('append_only'::text), ('append_only_truncate'::text)) w(name))
         UNION ALL
          SELECT 4,
             'books_privilege'::text AS text,
             (((r_1.rolname)::text || ' on '::text) || ((b.oid)::regclass)::text),
             concat_ws(' '::text,
                 CASE
                     WHEN has_any_column_privilege(r_1.oid, b.oid, 'UPDATE'::text) THEN 'UPDATE'::text
                     ELSE NULL::text
                 END,
                 CASE
                     WHEN has_table_privilege(r_1.oid, b.oid, 'DELETE'::text) THEN 'DELETE'::text
                     ELSE NULL::text
                 END,
                 CASE
                     WHEN has_table_privilege(r_1.oid, b.oid, 'TRUNCATE'::text) THEN 'TRUNCATE'::text
                     ELSE NULL::text
                 END,
                 CASE
                     WHEN has_table_privilege(r_1.oid, b.oid, 'TRIGGER'::text) THEN 'TRIGGER'::text
                     ELSE NULL::text
                 END) AS concat_ws
            FROM (books b
              CROSS JOIN pg_roles r_1)
           WHERE ((r_1.rolname <> 'skeldir_books'::name) AND (NOT r_1.rolsuper) AND (r_1.rolname !~~ 'pg\_%'::text) AND (has_any_column_privilege(r_1.oid, b.oid, 'UPDATE'::text) OR has_table_privilege(r_1.oid, b.oid, 'DELETE'::text) OR has_table_privilege(r_1.oid, b.oid, 'TRUNCATE'::text) OR has_table_privilege(r_1.oid, b.oid, 'TRIGGER'::text)))
         UNION ALL
          SELECT 5,
             'advisory_lock'::text AS text,
             ((p.oid)::regprocedure)::text AS oid,
             'takes an advisory lock'::text AS text
            FROM (pg_proc p
              JOIN pg_namespace n ON ((n.oid = p.pronamespace)))
           WHERE ((n.nspname !~~ 'pg\_%'::text) AND (n.nspname <> 'information_schema'::name) AND (p.prosrc ~ 'pg_(try_)?advisory_'::text) AND (NOT (EXISTS ( SELECT 1
                    FROM pg_depend d
                   WHERE ((d.classid = ('pg_proc'::regclass)::oid) AND (d.objid = p.oid) AND (d.deptype = 'e'::"char"))))))
         )
  SELECT r.area,
     r.subject,
     r.detail,
         CASE r.area
             WHEN 'books_role'::text THEN (r.detail = ''::text)
             WHEN 'books_owner'::text THEN (r.detail = 'skeldir_books'::text)
             WHEN 'books_trigger'::text THEN (r.detail = 'enabled'::text)
             ELSE false
         END AS "case"
    FROM report r
   ORDER BY r.ord, r.subject;
END;

ALTER FUNCTION skeldir.audit_books() OWNER TO skeldir_owner;

--
-- Name: FUNCTION audit_books(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.audit_books() IS 'Audit rules: the append-only books belong to skeldir_books, keep their triggers, and no one else may change them; no function takes an advisory lock.';

--
-- Name: audit_credentials(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.audit_credentials() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT 'api_parameters'::text,
     ((p.oid)::regprocedure)::text AS oid,
     COALESCE(('takes '::text || string_agg(a.name, ', '::text ORDER BY a.ord) FILTER (WHERE (a.name ~ '(^|_)(tenant|user)s?(_?(id|ids|scope))?$'::text))), 'takes no tenant or user'::text) AS "coalesce",
     (count(*) FILTER (WHERE (a.name ~ '(^|_)(tenant|user)s?(_?(id|ids|scope))?$'::text)) = 0)
    FROM (pg_proc p
      LEFT JOIN LATERAL UNNEST(p.proargnames, COALESCE(p.proargmodes, array_fill('i'::"char", ARRAY[COALESCE(cardinality(p.proargnames), 0)]))) WITH ORDINALITY a(name, mode, ord) ON ((a.mode = ANY (ARRAY['i'::"char", 'b'::"char", 'v'::"char"]))))
   WHERE (p.pronamespace = ('api'::regnamespace)::oid)
   GROUP BY p.oid;
END;

ALTER FUNCTION skeldir.audit_credentials() OWNER TO skeldir_owner;

--
-- Name: audit_privileges(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.audit_privileges() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
     AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
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
         EXISTS (SELECT 1 FROM pg_attribute AS a
                  WHERE a.attrelid = t.oid AND a.attname = t.key_column AND a.attnum = ANY (k.conkey))
         OR (k.contype = 'f' AND NOT EXISTS (SELECT 1 FROM tenant_table AS r WHERE r.oid = k.confrelid))
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
             AND NOT EXISTS (SELECT 1 FROM routine AS r
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
   WHERE NOT EXISTS (SELECT 1 FROM pg_depend AS d
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
         c.relkind = 'm' OR (c.relkind = 'i' AND EXISTS (SELECT 1 FROM pg_index AS i JOIN pg_class AS v ON v.oid = i.indrelid
                                                          WHERE i.indexrelid = c.oid AND v.relkind = 'm'))
    FROM pg_class AS c JOIN pg_roles AS r ON r.oid = c.relowner
   WHERE r.rolname = 'skeldir_analytics' AND c.relnamespace <> 'pg_toast'::regnamespace
)
SELECT area, subject, detail, ok FROM report ORDER BY ord, NOT ok, subject;
$_$;

ALTER FUNCTION skeldir.audit_privileges() OWNER TO skeldir_owner;

--
-- Name: FUNCTION audit_privileges(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.audit_privileges() IS 'Roles, table privileges, RLS, policies, tenant keys, definer functions and EXECUTE grants, checked against SPEC §2.1–2.2.';

--
-- Name: audit_replication(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.audit_replication() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH replicator AS (
          SELECT r.oid,
             r.rolname,
             r.rolcanlogin,
             r.rolcreatedb,
             r.rolcreaterole,
             r.rolbypassrls,
             ( SELECT string_agg((g.rolname)::text, ', '::text ORDER BY ((g.rolname)::text)) AS string_agg
                    FROM (pg_auth_members am
                      JOIN pg_roles g ON ((g.oid = am.roleid)))
                   WHERE (am.member = r.oid)) AS member_of,
             ( SELECT count(*) AS count
                    FROM pg_shdepend d
                   WHERE ((d.refclassid = ('pg_authid'::regclass)::oid) AND (d.refobjid = r.oid) AND (d.deptype = 'o'::"char"))) AS owns,
             ( SELECT count(*) AS count
                    FROM pg_shdepend d
                   WHERE ((d.refclassid = ('pg_authid'::regclass)::oid) AND (d.refobjid = r.oid) AND (d.deptype = ANY (ARRAY['a'::"char", 'r'::"char"])))) AS grants
            FROM pg_roles r
           WHERE (r.rolreplication AND (NOT r.rolsuper) AND (r.oid <> (10)::oid))
         ), report AS (
          SELECT 1 AS ord,
             'replication'::text AS area,
             (p.rolname)::text AS subject,
             concat_ws('; '::text, concat_ws(' '::text,
                 CASE
                     WHEN p.rolcanlogin THEN 'LOGIN'::text
                     ELSE 'NOLOGIN'::text
                 END, 'REPLICATION',
                 CASE
                     WHEN p.rolcreatedb THEN 'CREATEDB'::text
                     ELSE NULL::text
                 END,
                 CASE
                     WHEN p.rolcreaterole THEN 'CREATEROLE'::text
                     ELSE NULL::text
                 END,
                 CASE
                     WHEN p.rolbypassrls THEN 'BYPASSRLS'::text
                     ELSE NULL::text
                 END), ('member of '::text || COALESCE(p.member_of, 'no role'::text)), format('owns %s objects, named in %s grants or policies (any database)'::text, p.owns, p.grants)) AS detail,
             (p.rolcanlogin AND (NOT (p.rolcreatedb OR p.rolcreaterole OR p.rolbypassrls)) AND (p.member_of IS NULL) AND (p.owns = 0) AND (p.grants = 0)) AS ok
            FROM replicator p
         UNION ALL
          SELECT 2,
             'replication_group'::text,
             'skeldir_* group roles'::text,
             COALESCE(('REPLICATION: '::text || string_agg((g.rolname)::text, ', '::text ORDER BY ((g.rolname)::text))), 'none has REPLICATION'::text) AS "coalesce",
             (count(g.oid) = 0)
            FROM pg_roles g
           WHERE ((g.rolname ~~ 'skeldir\_%'::text) AND g.rolreplication)
         UNION ALL
          SELECT 3,
             'replication_superuser'::text,
             (s.rolname)::text AS rolname,
             concat_ws(' '::text,
                 CASE
                     WHEN (s.oid = (10)::oid) THEN 'bootstrap superuser'::text
                     ELSE 'SUPERUSER'::text
                 END,
                 CASE
                     WHEN s.rolcanlogin THEN 'LOGIN'::text
                     ELSE 'NOLOGIN'::text
                 END, '(may replicate whatever its attributes say)') AS concat_ws,
             true
            FROM pg_roles s
           WHERE s.rolsuper
         )
  SELECT report.area,
     report.subject,
     report.detail,
     report.ok
    FROM report
   ORDER BY report.ord, (NOT report.ok), report.subject;
END;

ALTER FUNCTION skeldir.audit_replication() OWNER TO skeldir_owner;

--
-- Name: FUNCTION audit_replication(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.audit_replication() IS 'Roles that may open replication connections: each a login with REPLICATION and nothing else, no skeldir_* group role with it; superusers listed. For admin.audit().';

--
-- Name: audit(); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.audit() RETURNS TABLE(area text, subject text, detail text, ok boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT f.area,
     f.subject,
     f.detail,
     f.ok
    FROM ( SELECT 1 AS rule_set,
             r.area,
             r.subject,
             r.detail,
             r.ok,
             r.ordinality
            FROM skeldir.audit_privileges() WITH ORDINALITY r(area, subject, detail, ok, ordinality)
         UNION ALL
          SELECT 2,
             r.area,
             r.subject,
             r.detail,
             r.ok,
             r.ordinality
            FROM skeldir.audit_replication() WITH ORDINALITY r(area, subject, detail, ok, ordinality)
         UNION ALL
          SELECT 3,
             r.area,
             r.subject,
             r.detail,
             r.ok,
             r.ordinality
            FROM skeldir.audit_credentials() WITH ORDINALITY r(area, subject, detail, ok, ordinality)
         UNION ALL
          SELECT 4,
             r.area,
             r.subject,
             r.detail,
             r.ok,
             r.ordinality
            FROM skeldir.audit_analysts() WITH ORDINALITY r(area, subject, detail, ok, ordinality)
         UNION ALL
          SELECT 5,
             r.area,
             r.subject,
             r.detail,
             r.ok,
             r.ordinality
            FROM skeldir.audit_books() WITH ORDINALITY r(area, subject, detail, ok, ordinality)) f
   ORDER BY f.rule_set, f.ordinality;
END;

ALTER FUNCTION admin.audit() OWNER TO skeldir_owner;

--
-- Name: FUNCTION audit(); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.audit() IS 'Every audit rule set: roles, grants, RLS, policies, tenant keys, definer functions, EXECUTE grants, replication logins, api parameters.';

--
-- Name: create_tenant(text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.create_tenant(name text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  tenant_id uuid := gen_random_uuid();
  api_key text;
  secrets jsonb;
BEGIN
  PERFORM skeldir.set_tenant_context(tenant_id::text, true);
  INSERT INTO skeldir.tenants (id, name) VALUES (tenant_id, btrim(create_tenant.name));
  api_key := skeldir.issue_api_key();
  SELECT jsonb_object_agg(v, skeldir.install_webhook_secret(v)) INTO secrets
    FROM unnest(enum_range(NULL::skeldir.vendor)) AS v;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'name', btrim(create_tenant.name),
                            'api_key', api_key, 'webhook_secrets', secrets,
                            'webhook_urls', skeldir.webhook_urls() -> 'webhook_urls');
END
$$;

ALTER FUNCTION admin.create_tenant(name text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION create_tenant(name text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.create_tenant(name text) IS 'Creates a tenant with one API key, a webhook secret and a webhook URL per vendor; returns them.';

--
-- Name: create_user(uuid, text, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.create_user(tenant_id uuid, email text, password text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  normalized text := skeldir.normalize_email(email);
  taken uuid;
  created skeldir.users;
BEGIN
  PERFORM skeldir.check_password(password);
  PERFORM skeldir.enter_tenant(tenant_id);
  PERFORM skeldir.take_turns('users.email/' || normalized);

  PERFORM skeldir.set_local('app.presented_login_email', normalized, true);
  SELECT u.tenant_id INTO taken FROM skeldir.users AS u WHERE u.email = normalized LIMIT 1;
  PERFORM skeldir.set_local('app.presented_login_email', '', true);
  IF taken IS NOT NULL THEN
    RAISE EXCEPTION 'a user with email % already exists', normalized
      USING ERRCODE = 'unique_violation', COLUMN = 'email',
            DETAIL = CASE WHEN taken = create_user.tenant_id THEN 'in this tenant' ELSE 'in another tenant' END,
            HINT = 'An email logs in to one tenant only; choose another address.';
  END IF;

  INSERT INTO skeldir.users (tenant_id, email, password_hash)
  VALUES (create_user.tenant_id, normalized, extensions.crypt(password, extensions.gen_salt('bf', 10)))
  RETURNING * INTO created;
  RETURN jsonb_build_object('tenant_id', created.tenant_id, 'user_id', created.id,
                            'email', created.email, 'created_at', created.created_at);
END
$$;

ALTER FUNCTION admin.create_user(tenant_id uuid, email text, password text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION create_user(tenant_id uuid, email text, password text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.create_user(tenant_id uuid, email text, password text) IS 'Creates a dashboard user with a bcrypt-hashed password; the email must be unused in every tenant.';

--
-- Name: enqueue(text, jsonb, uuid, timestamp with time zone, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.enqueue(kind text, args jsonb DEFAULT '{}'::jsonb, tenant uuid DEFAULT NULL::uuid, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, dedupe_key text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  k skeldir.job_kinds;
  job bigint;
BEGIN
  SELECT * INTO k FROM skeldir.job_kinds AS jk WHERE jk.kind = enqueue.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown job kind %', quote_literal(kind) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF k.fault THEN
    IF NOT (SELECT f.enabled FROM skeldir.fault_injection AS f) THEN
      RAISE EXCEPTION 'fault injection is disabled: % cannot be enqueued', kind
        USING ERRCODE = 'insufficient_privilege', HINT = 'An operator enables it with admin.set_fault_injection(true).';
    END IF;
  END IF;
  LOOP
    IF dedupe_key IS NOT NULL THEN
      -- Held until commit: a job claimed meanwhile starts after (worker.execute
      -- waits for this lock).
      SELECT j.id INTO job FROM skeldir.jobs AS j
       WHERE j.dedupe_key = enqueue.dedupe_key AND j.state = 'available'
         FOR KEY SHARE;
      IF job IS NOT NULL THEN
        RETURN job;
      END IF;
    END IF;
    INSERT INTO skeldir.jobs AS j (kind, queue, args, tenant_scope, run_at, dedupe_key)
    VALUES (k.kind, k.queue, coalesce(args, '{}'), tenant, coalesce(run_at, now()), dedupe_key)
    ON CONFLICT (dedupe_key) WHERE state = 'available' DO NOTHING
    RETURNING j.id INTO job;
    IF job IS NOT NULL THEN
      PERFORM pg_notify('skeldir_jobs', k.queue::text);  -- delivered at commit
      RETURN job;
    END IF;
    -- Inserted by another transaction in between, or claimed in between
    -- (it may have read its inputs already): ask again.
  END LOOP;
END
$$;

ALTER FUNCTION skeldir.enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text) OWNER TO skeldir_owner;

--
-- Name: enqueue(text, jsonb, uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.enqueue(kind text, args jsonb DEFAULT '{}'::jsonb, tenant_id uuid DEFAULT NULL::uuid) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    RETURN skeldir.enqueue(kind, args, tenant_id);

ALTER FUNCTION admin.enqueue(kind text, args jsonb, tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION enqueue(kind text, args jsonb, tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.enqueue(kind text, args jsonb, tenant_id uuid) IS 'Enqueues a job by hand.';

--
-- Name: grant_analyst(uuid, name); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.grant_analyst(tenant_id uuid, login name) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  r pg_roles;
BEGIN
  SELECT * INTO r FROM pg_roles WHERE rolname = login;
  IF r.oid IS NULL OR NOT r.rolcanlogin OR NOT pg_has_role(r.oid, 'skeldir_readonly', 'MEMBER') THEN
    RAISE EXCEPTION 'role % is not a login in skeldir_readonly', login
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'login',
            HINT = 'CREATE ROLE ... LOGIN IN ROLE skeldir_readonly first.';
  END IF;
  PERFORM skeldir.enter_tenant(tenant_id);
  INSERT INTO skeldir.analyst_logins AS a (login, tenant) VALUES (login, tenant_id)
  ON CONFLICT ON CONSTRAINT analyst_logins_pkey DO UPDATE SET tenant = excluded.tenant, granted_at = excluded.granted_at;
  RETURN jsonb_build_object('login', login, 'tenant_id', tenant_id);
END
$$;

ALTER FUNCTION admin.grant_analyst(tenant_id uuid, login name) OWNER TO skeldir_owner;

--
-- Name: import_spend(uuid, jsonb); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'stored', skeldir.record_spend(rows));
END
$$;

ALTER FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) OWNER TO skeldir_owner;

--
-- Name: FUNCTION import_spend(tenant_id uuid, rows jsonb); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) IS 'Stores (or replaces) ad spend rows for the tenant, as skeldird spend import reads them from CSV; all or nothing.';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: analyst_logins; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.analyst_logins (
    login name NOT NULL,
    tenant uuid NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE skeldir.analyst_logins OWNER TO skeldir_owner;

--
-- Name: TABLE analyst_logins; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.analyst_logins IS 'The one tenant each analyst login (a member of skeldir_readonly) may read; unbound logins read nothing.';

--
-- Name: list_analysts(); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.list_analysts() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT jsonb_build_object('analysts', COALESCE(jsonb_agg(jsonb_build_object('login', a.login, 'tenant_id', a.tenant, 'granted_at', a.granted_at) ORDER BY a.login), '[]'::jsonb)) AS jsonb_build_object
    FROM skeldir.analyst_logins a;
END;

ALTER FUNCTION admin.list_analysts() OWNER TO skeldir_owner;

--
-- Name: list_api_keys(uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.list_api_keys(tenant_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'keys', coalesce(
    (SELECT jsonb_agg(jsonb_build_object('prefix', k.prefix, 'created_at', k.created_at, 'revoked_at', k.revoked_at)
                      ORDER BY k.created_at, k.prefix)
       FROM skeldir.tenant_api_keys AS k), '[]'));
END
$$;

ALTER FUNCTION admin.list_api_keys(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION list_api_keys(tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.list_api_keys(tenant_id uuid) IS 'A tenant''s API keys by prefix, with when each was issued and revoked.';

--
-- Name: list_dead_events(uuid, skeldir.remediation_status, integer); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.list_dead_events(tenant_id uuid, only_status skeldir.remediation_status DEFAULT NULL::skeldir.remediation_status, max_rows integer DEFAULT 100) RETURNS TABLE(id uuid, vendor skeldir.vendor, topic text, error_type text, error_message text, status skeldir.remediation_status, retry_count integer, occurrences integer, first_seen_at timestamp with time zone, last_seen_at timestamp with time zone, next_retry_at timestamp with time zone, resolved_event_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN QUERY
    SELECT x.id, x.vendor, x.topic, x.error_type, x.error_message, x.status, x.retry_count, x.occurrences,
           x.first_seen_at, x.last_seen_at, x.next_retry_at, x.resolved_event_id
      FROM skeldir.dead_events AS x
     WHERE only_status IS NULL OR x.status = only_status
     ORDER BY x.last_seen_at DESC
     LIMIT max_rows;
END
$$;

ALTER FUNCTION admin.list_dead_events(tenant_id uuid, only_status skeldir.remediation_status, max_rows integer) OWNER TO skeldir_owner;

--
-- Name: token_keys; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.token_keys (
    kid text DEFAULT encode(extensions.gen_random_bytes(8), 'hex'::text) NOT NULL,
    secret bytea DEFAULT extensions.gen_random_bytes(32) NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    retired_at timestamp with time zone,
    CONSTRAINT token_keys_check CHECK (((retired_at IS NULL) OR (retired_at >= created_at))),
    CONSTRAINT token_keys_kid_check CHECK ((kid ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT token_keys_secret_check CHECK ((length(secret) >= 32))
);

ALTER TABLE skeldir.token_keys OWNER TO skeldir_owner;

--
-- Name: TABLE token_keys; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.token_keys IS 'HMAC-SHA256 keys of dashboard access tokens; the newest unretired key signs, every unretired key verifies.';

--
-- Name: signing_token_key(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.signing_token_key() RETURNS skeldir.token_keys
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT k.kid,
     k.secret,
     k.created_at,
     k.retired_at
    FROM skeldir.token_keys k
   WHERE (k.retired_at IS NULL)
   ORDER BY k.created_at DESC, k.kid
  LIMIT 1;
END;

ALTER FUNCTION skeldir.signing_token_key() OWNER TO skeldir_owner;

--
-- Name: list_token_keys(); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.list_token_keys() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT jsonb_build_object('keys', COALESCE(jsonb_agg(jsonb_build_object('kid', k.kid, 'created_at', k.created_at, 'retired_at', k.retired_at, 'signing', (NOT (k.kid IS DISTINCT FROM (skeldir.signing_token_key()).kid))) ORDER BY k.created_at, k.kid), '[]'::jsonb)) AS jsonb_build_object
    FROM skeldir.token_keys k;
END;

ALTER FUNCTION admin.list_token_keys() OWNER TO skeldir_owner;

--
-- Name: pin_paypal_certificate(uuid, text, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  replaced bigint;
  key record := skeldir.certificate_rsa_key(btrim(certificate_pem));
BEGIN
  IF key.modulus IS NULL THEN
    RAISE EXCEPTION 'certificate_pem is not a PEM certificate holding an RSA key'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'certificate_pem';
  END IF;
  PERFORM skeldir.enter_tenant(tenant_id);
  replaced := skeldir.unpin_paypal_certificate();
  INSERT INTO skeldir.tenant_paypal_certificates (tenant_id, webhook_id, certificate_pem, rsa_modulus, rsa_exponent)
  VALUES (tenant_id, webhook_id, btrim(certificate_pem), key.modulus, key.exponent);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'webhook_id', webhook_id, 'replaced', replaced);
END
$$;

ALTER FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text) IS 'Switches the tenant''s PayPal verification to RSA against this certificate (replacing any pinned one).';

--
-- Name: replay_dead_event(uuid, uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN skeldir.replay_dead_event(dead_event_id);
END
$$;

ALTER FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION replay_dead_event(tenant_id uuid, dead_event_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) IS 'Replays one dead event now, whatever its backoff.';

--
-- Name: replay_dead_events(uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.replay_dead_events(tenant_id uuid) RETURNS SETOF jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  due uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  FOR due IN SELECT x.id FROM skeldir.dead_events AS x
              WHERE x.status IN ('pending', 'in_progress') AND x.next_retry_at <= now()
              ORDER BY x.first_seen_at LOOP
    RETURN NEXT skeldir.replay_dead_event(due);
  END LOOP;
END
$$;

ALTER FUNCTION admin.replay_dead_events(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION replay_dead_events(tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.replay_dead_events(tenant_id uuid) IS 'Replays every open dead event of the tenant whose backoff has passed; one result per dead event.';

--
-- Name: retire_token_key(text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.retire_token_key(kid text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  found skeldir.token_keys;
BEGIN
  -- One rotation or retirement at a time, so two retirements cannot leave
  -- no key to sign with.
  LOCK TABLE skeldir.token_keys IN SHARE ROW EXCLUSIVE MODE;
  SELECT k.* INTO found FROM skeldir.token_keys AS k WHERE k.kid = retire_token_key.kid;
  IF found.kid IS NULL THEN
    RAISE EXCEPTION 'no token key %', kid USING ERRCODE = 'no_data_found', COLUMN = 'kid';
  END IF;
  IF found.retired_at IS NULL THEN
    IF found.kid = (skeldir.signing_token_key()).kid THEN
      RAISE EXCEPTION 'token key % signs new tokens; rotate a new key in before retiring it', kid
        USING ERRCODE = 'object_not_in_prerequisite_state', COLUMN = 'kid';
    END IF;
    UPDATE skeldir.token_keys AS k SET retired_at = clock_timestamp() WHERE k.kid = found.kid
    RETURNING k.* INTO found;
  END IF;
  RETURN jsonb_build_object('kid', found.kid, 'created_at', found.created_at, 'retired_at', found.retired_at);
END
$$;

ALTER FUNCTION admin.retire_token_key(kid text) OWNER TO skeldir_owner;

--
-- Name: revoke_analyst(name); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.revoke_analyst(login name) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH gone AS (
          DELETE FROM skeldir.analyst_logins AS a
           WHERE (a.login = revoke_analyst.login)
           RETURNING a.tenant
         )
  SELECT jsonb_build_object('login', revoke_analyst.login, 'revoked', (count(*) > 0)) AS jsonb_build_object
    FROM gone;
END;

ALTER FUNCTION admin.revoke_analyst(login name) OWNER TO skeldir_owner;

--
-- Name: revoke_api_key(uuid, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  revoked bigint;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  UPDATE skeldir.tenant_api_keys AS k SET revoked_at = now()
   WHERE k.prefix = revoke_api_key.prefix AND k.revoked_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  IF revoked = 0 THEN
    RAISE EXCEPTION 'the tenant has no active API key with prefix %', quote_literal(prefix)
      USING ERRCODE = 'no_data_found', HINT = 'List them with skeldird tenant keys --tenant ID.';
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'prefix', prefix, 'revoked_keys', revoked);
END
$$;

ALTER FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION revoke_api_key(tenant_id uuid, prefix text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) IS 'Revokes the tenant''s active API key(s) with this prefix.';

--
-- Name: revoke_webhook_url(uuid, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  revoked bigint;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  UPDATE skeldir.tenant_webhook_tokens AS t SET revoked_at = now()
   WHERE t.prefix = revoke_webhook_url.prefix AND t.revoked_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  IF revoked = 0 THEN
    RAISE EXCEPTION 'tenant % has no active webhook URL with prefix %', tenant_id, prefix
      USING ERRCODE = 'no_data_found', HINT = 'List them with skeldird tenant webhook-urls.';
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'prefix', prefix, 'revoked', revoked);
END
$$;

ALTER FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION revoke_webhook_url(tenant_id uuid, prefix text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) IS 'Revokes the tenant''s active webhook URL(s) whose token starts with prefix; deliveries to it get 401.';

--
-- Name: rotate_api_key(uuid, boolean); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  revoked bigint := 0;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  IF revoke_existing THEN
    UPDATE skeldir.tenant_api_keys AS k SET revoked_at = now() WHERE k.revoked_at IS NULL;
    GET DIAGNOSTICS revoked = ROW_COUNT;
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'api_key', skeldir.issue_api_key(),
                            'revoked_keys', revoked);
END
$$;

ALTER FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean) OWNER TO skeldir_owner;

--
-- Name: FUNCTION rotate_api_key(tenant_id uuid, revoke_existing boolean); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean) IS 'Issues a new API key; existing keys stay active unless revoke_existing.';

--
-- Name: rotate_token_key(); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.rotate_token_key() RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 INSERT INTO skeldir.token_keys DEFAULT VALUES
   RETURNING jsonb_build_object('kid', token_keys.kid, 'created_at', token_keys.created_at, 'signing', true) AS jsonb_build_object;
END;

ALTER FUNCTION admin.rotate_token_key() OWNER TO skeldir_owner;

--
-- Name: rotate_webhook_secret(uuid, skeldir.vendor, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'vendor', vendor,
                            'secret', skeldir.install_webhook_secret(vendor, secret));
END
$$;

ALTER FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text) IS 'Activates a new webhook secret (given or generated); the previous one stays valid until the next rotation.';

--
-- Name: rotate_webhook_url(uuid, skeldir.vendor); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  token_id uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  token_id := skeldir.issue_webhook_token(vendor);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'vendor', vendor,
                            'webhook_url', skeldir.webhook_url(vendor, token_id),
                            'prefix', left(skeldir.webhook_token(token_id), 12));
END
$$;

ALTER FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) OWNER TO skeldir_owner;

--
-- Name: FUNCTION rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) IS 'Issues a new webhook URL for the vendor; the existing ones keep working until revoked.';

--
-- Name: scan_pii(uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.scan_pii(tenant_id uuid) RETURNS TABLE(table_name text, column_name text, rows_with_pii bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN QUERY SELECT s.table_name, s.column_name, s.rows_with_pii FROM skeldir.scan_pii_at_rest() AS s;
END
$$;

ALTER FUNCTION admin.scan_pii(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION scan_pii(tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.scan_pii(tenant_id uuid) IS 'Per text/JSON column of every tenant table: how many of the tenant''s rows hold personal data.';

--
-- Name: fault_injection; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.fault_injection (
    singleton boolean DEFAULT true NOT NULL,
    enabled boolean DEFAULT false NOT NULL,
    CONSTRAINT fault_injection_singleton_check CHECK (singleton)
);

ALTER TABLE skeldir.fault_injection OWNER TO skeldir_owner;

--
-- Name: set_fault_injection(boolean); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.set_fault_injection(enabled boolean) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 UPDATE skeldir.fault_injection SET enabled = set_fault_injection.enabled
   RETURNING fault_injection.enabled;
END;

ALTER FUNCTION admin.set_fault_injection(enabled boolean) OWNER TO skeldir_owner;

--
-- Name: FUNCTION set_fault_injection(enabled boolean); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.set_fault_injection(enabled boolean) IS 'Allows (or forbids) enqueueing the fault.* job kinds, for tests and drills.';

--
-- Name: set_llm_budget_cap(uuid, bigint, text, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text DEFAULT 'fallback'::text, model text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
#variable_conflict use_variable
DECLARE
  saved skeldir.llm_budget_caps;
BEGIN
  IF monthly_cap_micros < 0 OR on_exceed IS NULL OR on_exceed NOT IN ('block', 'fallback') THEN
    RAISE EXCEPTION 'the cap must be >= 0 micro-USD and on_exceed block or fallback' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF model IS NOT NULL AND NOT EXISTS (SELECT 1 FROM skeldir.llm_models AS m WHERE m.model = model) THEN
    RAISE EXCEPTION 'unknown model %', quote_literal(model) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.enter_tenant(tenant);  -- refuses a tenant that does not exist
  IF monthly_cap_micros IS NULL THEN
    DELETE FROM skeldir.llm_budget_caps AS b WHERE b.tenant_id = tenant;
    PERFORM skeldir.set_tenant_context('', true);
    RETURN NULL;
  END IF;
  INSERT INTO skeldir.llm_budget_caps AS b (tenant_id, monthly_cap_micros, on_exceed, model)
  VALUES (tenant, monthly_cap_micros, on_exceed::skeldir.llm_on_exceed, model)
  ON CONFLICT (tenant_id) DO UPDATE
     SET monthly_cap_micros = excluded.monthly_cap_micros, on_exceed = excluded.on_exceed,
         model = excluded.model, updated_at = excluded.updated_at
  RETURNING * INTO saved;
  PERFORM skeldir.set_tenant_context('', true);
  RETURN to_jsonb(saved);
END
$$;

ALTER FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text, model text) OWNER TO skeldir_owner;

--
-- Name: set_user_enabled(uuid, text, boolean); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  u skeldir.users;
  disabled_now timestamptz := now();
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  u := skeldir.user_by_email(email);
  UPDATE skeldir.users AS x
     SET disabled_at = CASE WHEN enabled THEN NULL ELSE coalesce(x.disabled_at, disabled_now) END
   WHERE x.tenant_id = u.tenant_id AND x.id = u.id;
  RETURN jsonb_build_object('user_id', u.id, 'email', u.email, 'enabled', enabled,
                            'revoked_sessions', CASE WHEN enabled THEN 0
                                                     ELSE skeldir.end_sessions(u.id, 'user_disabled') END);
END
$$;

ALTER FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) OWNER TO skeldir_owner;

--
-- Name: FUNCTION set_user_enabled(tenant_id uuid, email text, enabled boolean); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) IS 'Disables a user (ending every session) or enables one again.';

--
-- Name: set_user_password(uuid, text, text); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  u skeldir.users;
BEGIN
  PERFORM skeldir.check_password(password);
  PERFORM skeldir.enter_tenant(tenant_id);
  u := skeldir.user_by_email(email);
  UPDATE skeldir.users AS x SET password_hash = extensions.crypt(password, extensions.gen_salt('bf', 10))
   WHERE x.tenant_id = u.tenant_id AND x.id = u.id;
  RETURN jsonb_build_object('user_id', u.id, 'email', u.email,
                            'revoked_sessions', skeldir.end_sessions(u.id, 'password_changed'));
END
$$;

ALTER FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION set_user_password(tenant_id uuid, email text, password text); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) IS 'Sets a user''s password (bcrypt) and ends every session the user had.';

--
-- Name: unpin_paypal_certificate(uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'unpinned', skeldir.unpin_paypal_certificate());
END
$$;

ALTER FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION unpin_paypal_certificate(tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) IS 'Returns the tenant''s PayPal verification to the HMAC mode.';

--
-- Name: webhook_urls(uuid); Type: FUNCTION; Schema: admin; Owner: skeldir_owner
--

CREATE FUNCTION admin.webhook_urls(tenant_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id) || skeldir.webhook_urls();
END
$$;

ALTER FUNCTION admin.webhook_urls(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION webhook_urls(tenant_id uuid); Type: COMMENT; Schema: admin; Owner: skeldir_owner
--

COMMENT ON FUNCTION admin.webhook_urls(tenant_id uuid) IS 'The tenant''s webhook URL per vendor (newest) and every active token; issues any that are missing.';

--
-- Name: budget_recommendation_for(uuid, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.budget_recommendation_for(tenant uuid, job_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.budget_recommendation(job_id);
END
$$;

ALTER FUNCTION skeldir.budget_recommendation_for(tenant uuid, job_id uuid) OWNER TO skeldir_owner;

--
-- Name: enter_session(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
  part text[] := string_to_array(coalesce(access_token, ''), '.');
  secret bytea;
  claims jsonb;
BEGIN
  PERFORM skeldir.set_tenant_context('', true);
  IF cardinality(part) = 3 THEN
    SELECT k.secret INTO secret FROM skeldir.token_keys AS k
     WHERE k.retired_at IS NULL AND skeldir.token_header(k.kid) = part[1];
  END IF;
  -- Digests of both sides are compared, so the comparison's time says
  -- nothing about how much of a forged signature was right.
  IF secret IS NULL
     OR sha256(convert_to(part[3], 'UTF8')) IS DISTINCT FROM sha256(convert_to(skeldir.to_base64url(
          extensions.hmac(convert_to(part[1] || '.' || part[2], 'UTF8'), secret, 'sha256')), 'UTF8')) THEN
    RAISE EXCEPTION 'the access token is invalid' USING ERRCODE = 'PT401';
  END IF;

  -- Signed by us, so the payload is ours; the checks below guard against
  -- our own mistakes, not a forger.
  BEGIN
    claims := convert_from(skeldir.from_base64url(part[2]), 'UTF8')::jsonb;
    tenant_id := (claims ->> 'tid')::uuid;
    user_id := (claims ->> 'sub')::uuid;
    session_id := (claims ->> 'sid')::uuid;
    expires_at := to_timestamp((claims ->> 'exp')::bigint);
  EXCEPTION WHEN data_exception OR invalid_text_representation THEN
    claims := NULL;
  END;
  IF claims IS NULL OR tenant_id IS NULL OR user_id IS NULL OR session_id IS NULL OR expires_at IS NULL THEN
    RAISE EXCEPTION 'the access token is invalid' USING ERRCODE = 'PT401';
  END IF;
  IF expires_at <= now() THEN
    RAISE EXCEPTION 'the access token has expired; refresh it' USING ERRCODE = 'PT401';
  END IF;

  PERFORM skeldir.set_tenant_context(tenant_id::text, true);
  IF NOT EXISTS (SELECT 1 FROM skeldir.users AS u
                  WHERE u.id = enter_session.user_id AND u.disabled_at IS NULL)
     OR NOT EXISTS (SELECT 1 FROM skeldir.refresh_tokens AS t
                     WHERE t.tenant_id = enter_session.tenant_id AND t.family_id = session_id
                       AND t.user_id = enter_session.user_id
                       AND t.rotated_at IS NULL AND t.revoked_at IS NULL) THEN
    PERFORM skeldir.set_tenant_context('', true);
    RAISE EXCEPTION 'the session has ended (logged out, or the user was disabled); log in again'
      USING ERRCODE = 'PT401';
  END IF;
END
$$;

ALTER FUNCTION skeldir.enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone) OWNER TO skeldir_owner;

--
-- Name: FUNCTION enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone) IS 'Verifies a dashboard access token (signature, expiry, live session, enabled user) and enters its tenant; raises PT401 otherwise.';

--
-- Name: session_tenant(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.session_tenant(access_token text) RETURNS uuid
    LANGUAGE sql
    RETURN (skeldir.enter_session(access_token)).tenant_id;

ALTER FUNCTION skeldir.session_tenant(access_token text) OWNER TO skeldir_owner;

--
-- Name: budget_recommendation(text, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.budget_recommendation(access_token text, job_id uuid) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.budget_recommendation_for(skeldir.session_tenant(access_token), job_id) AS budget_recommendation_for;
END;

ALTER FUNCTION api.budget_recommendation(access_token text, job_id uuid) OWNER TO skeldir_owner;

--
-- Name: channel_attribution_for(uuid, date, date, text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.channel_attribution_for(tenant uuid, start_date date, end_date date, model text, currency text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  from_day date := coalesce(start_date, coalesce(end_date, current_date) - 29);
  to_day date := coalesce(end_date, current_date);
  chosen skeldir.attribution_model;
  shown text := upper(btrim(currency));
  channels jsonb;
  currencies jsonb;
  spend jsonb;
BEGIN
  IF coalesce(model, 'linear') <> ALL (enum_range(NULL::skeldir.attribution_model)::text[]) THEN
    RAISE EXCEPTION 'model must be one of %', array_to_string(enum_range(NULL::skeldir.attribution_model)::text[], ', ')
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'model';
  END IF;
  chosen := coalesce(model, 'linear');
  IF shown IS NOT NULL AND NOT EXISTS (SELECT 1 FROM skeldir.currencies AS c WHERE c.code = shown) THEN
    RAISE EXCEPTION 'currency % is not an ISO 4217 code Skeldir knows', quote_literal(left(currency, 20))
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'currency';
  END IF;
  IF shown IS NULL THEN
    SELECT c.currency INTO shown
      FROM analytics.mv_channel_performance AS c
     WHERE c.tenant_id = tenant
     GROUP BY c.currency
     ORDER BY sum(c.last_touch_cents) DESC, c.currency
     LIMIT 1;
  END IF;

  PERFORM skeldir.enter_tenant(tenant);  -- ad spend is read under RLS
  SELECT coalesce(jsonb_object_agg(s.channel || ' ' || s.currency, s.cents), '{}') INTO spend
    FROM (SELECT s.channel, s.currency, sum(s.amount_cents)::bigint AS cents
            FROM skeldir.ad_spend AS s
           WHERE s.tenant_id = tenant AND s.day BETWEEN from_day AND to_day
           GROUP BY s.channel, s.currency) AS s;
  WITH per_channel AS (
    SELECT c.report_name, c.currency, array_agg(c.channel ORDER BY c.channel) AS codes,
           sum(CASE chosen WHEN 'last_touch' THEN c.last_touch_cents WHEN 'first_touch' THEN c.first_touch_cents
                           WHEN 'linear' THEN c.linear_cents WHEN 'time_decay' THEN c.time_decay_cents
                           ELSE c.position_based_cents END)::bigint AS cents,
           sum(c.conversions)::bigint AS conversions, sum(c.touched_purchases)::bigint AS purchases
      FROM skeldir.channel_performance_for(tenant, from_day, to_day) AS c
     GROUP BY c.report_name, c.currency
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'channel_name', x.report_name,
           'revenue', skeldir.major_units(x.cents, shown),
           'conversion_count', x.conversions,
           'confidence_score', round(1 - 1 / sqrt(1 + x.purchases::numeric), 2),
           'channels', x.codes,
           'channel_ids', (SELECT jsonb_agg(skeldir.channel_id(code) ORDER BY o) FROM unnest(x.codes) WITH ORDINALITY AS u(code, o)),
           'spend', skeldir.major_units(x.spend_cents, shown),
           'roas', CASE WHEN x.spend_cents > 0 THEN round(x.cents::numeric / x.spend_cents, 2) END)
           ORDER BY x.cents DESC, x.report_name) FILTER (WHERE x.currency = shown), '[]'),
         coalesce((SELECT jsonb_agg(jsonb_build_object('currency', y.currency,
                                                      'total_revenue', skeldir.major_units(y.cents, y.currency))
                                    ORDER BY y.cents DESC, y.currency)
                     FROM (SELECT z.currency, sum(z.cents)::bigint AS cents FROM per_channel AS z GROUP BY z.currency) AS y),
                  '[]')
    INTO channels, currencies
    FROM (SELECT p.*, (SELECT sum((spend ->> (code || ' ' || p.currency))::bigint)
                        FROM unnest(p.codes) AS code) AS spend_cents
            FROM per_channel AS p) AS x;

  RETURN jsonb_build_object(
    'channels', channels,
    'total_revenue', coalesce((SELECT sum((ch ->> 'revenue')::numeric) FROM jsonb_array_elements(channels) AS ch), 0),
    'currency', shown,
    'currencies', currencies,
    'model', chosen,
    'date_range', jsonb_build_object('start', from_day, 'end', to_day));
END
$$;

ALTER FUNCTION skeldir.channel_attribution_for(tenant uuid, start_date date, end_date date, model text, currency text) OWNER TO skeldir_owner;

--
-- Name: channel_attribution(text, date, date, text, text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.channel_attribution(access_token text, start_date date, end_date date, model text, currency text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.channel_attribution_for(skeldir.session_tenant(access_token), start_date, end_date, model, currency) AS channel_attribution_for;
END;

ALTER FUNCTION api.channel_attribution(access_token text, start_date date, end_date date, model text, currency text) OWNER TO skeldir_owner;

--
-- Name: explain_for(uuid, text, text, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.explain_for(tenant uuid, entity_type text, entity_id text, request_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.explain(entity_type, entity_id, '{}', request_id);
END
$$;

ALTER FUNCTION skeldir.explain_for(tenant uuid, entity_type text, entity_id text, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: explain(text, text, text, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.explain(access_token text, entity_type text, entity_id text, request_id uuid) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.explain_for(skeldir.session_tenant(access_token), entity_type, entity_id, request_id) AS explain_for;
END;

ALTER FUNCTION api.explain(access_token text, entity_type text, entity_id text, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: jobs; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.jobs (
    id bigint NOT NULL,
    kind text NOT NULL,
    queue skeldir.queue NOT NULL,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    tenant_scope uuid,
    state skeldir.job_state DEFAULT 'available'::skeldir.job_state NOT NULL,
    dedupe_key text,
    attempt integer DEFAULT 0 NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    leased_by text,
    leased_until timestamp with time zone,
    last_error text
);

ALTER TABLE skeldir.jobs OWNER TO skeldir_owner;

--
-- Name: TABLE jobs; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.jobs IS 'The work queue. Written only through worker.* functions.';

--
-- Name: matview_refresh_stats; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.matview_refresh_stats (
    view_name text NOT NULL,
    outcome text NOT NULL,
    refreshes bigint DEFAULT 0 NOT NULL,
    seconds double precision DEFAULT 0 NOT NULL,
    last_at timestamp with time zone,
    CONSTRAINT matview_refresh_stats_outcome_check CHECK ((outcome = ANY (ARRAY['refreshed'::text, 'skipped'::text, 'failed'::text])))
);

ALTER TABLE skeldir.matview_refresh_stats OWNER TO skeldir_owner;

--
-- Name: matviews; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.matviews (
    name text NOT NULL,
    cadence text NOT NULL,
    lock_timeout interval DEFAULT '00:00:05'::interval NOT NULL,
    description text NOT NULL,
    CONSTRAINT matviews_cadence_check CHECK ((cadence = ANY (ARRAY['realtime'::text, 'daily'::text]))),
    CONSTRAINT matviews_lock_timeout_check CHECK ((lock_timeout > '00:00:00'::interval)),
    CONSTRAINT matviews_name_check CHECK ((name ~ '^mv_[a-z_]+$'::text))
);

ALTER TABLE skeldir.matviews OWNER TO skeldir_owner;

--
-- Name: health_summary(); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.health_summary() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT jsonb_build_object('database', 'up', 'cache',
         CASE
             WHEN (EXISTS ( SELECT 1
                FROM (skeldir.matviews m
                  LEFT JOIN skeldir.matview_refresh_stats s ON (((s.view_name = m.name) AND (s.outcome = 'refreshed'::text))))
               WHERE ((m.cadence = 'realtime'::text) AND (COALESCE(s.last_at, '-infinity'::timestamp with time zone) < (now() - '00:05:00'::interval))))) THEN 'degraded'::text
             ELSE 'up'::text
         END, 'queue',
         CASE
             WHEN (EXISTS ( SELECT 1
                FROM skeldir.jobs j
               WHERE ((j.state = 'available'::skeldir.job_state) AND (j.run_at < (now() - '00:01:00'::interval))))) THEN 'degraded'::text
             ELSE 'up'::text
         END) AS jsonb_build_object;
END;

ALTER FUNCTION api.health_summary() OWNER TO skeldir_owner;

--
-- Name: ingest_webhook(text, text, jsonb, bytea, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  d record;
BEGIN
  d := skeldir.ingest_delivery(vendor, route, headers, body, request_id);
  IF d.refresh_realtime THEN
    PERFORM skeldir.request_realtime_revenue(d.tenant_id);
  END IF;
  PERFORM skeldir.request_attribution_recompute(d.tenant_id, day) FROM unnest(d.recompute_days) AS day ORDER BY day;
  http_status := d.http_status; outcome := d.outcome; response := d.response;
END
$$;

ALTER FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb) OWNER TO skeldir_owner;

--
-- Name: ingest_delivery(text, text, jsonb, bytea, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb, OUT tenant_id uuid, OUT refresh_realtime boolean, OUT recompute_days date[]) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
  v skeldir.vendor;
  route_topic text;
  delivery_key text;
  r record;
  e record;
  dead_id uuid;
BEGIN
  IF vendor IS NULL OR vendor <> ALL (enum_range(NULL::skeldir.vendor)::text[]) THEN
    http_status := 404; outcome := 'not_found';
    response := jsonb_build_object('type', 'not_found', 'title', 'Not Found',
                                   'detail', 'no webhook vendor ' || coalesce(quote_literal(left(vendor, 50)), ''));
    RETURN;
  END IF;
  v := vendor::skeldir.vendor;
  IF coalesce(route, '') <> '' THEN
    SELECT t.topic INTO route_topic FROM skeldir.webhook_topics AS t WHERE t.vendor = v AND route = ANY (t.paths);
    IF NOT FOUND THEN
      http_status := 404; outcome := 'not_found';
      response := jsonb_build_object('type', 'not_found', 'title', 'Not Found',
                                     'detail', format('no %s webhook at %s', v, quote_literal(left(route, 100))));
      RETURN;
    END IF;
  END IF;

  IF skeldir.resolve_webhook_tenant(v, headers) IS NULL THEN
    http_status := 401; outcome := 'invalid_tenant_key';
    response := jsonb_build_object('type', 'invalid_tenant_key', 'title', 'Invalid Tenant Key',
      'detail', CASE WHEN headers ? ':url-token'
                     THEN format('this URL is not an active %s webhook URL', v)
                     ELSE 'X-Skeldir-Tenant-Key is missing or is not an active API key' END);
    RETURN;
  END IF;
  IF skeldir.is_woocommerce_ping(v, body) THEN
    http_status := 200; outcome := 'ping';
    response := jsonb_build_object('success', true, 'status', 'ping', 'correlation_id', request_id,
      'message', 'WooCommerce webhook ping acknowledged; nothing was stored');
    RETURN;
  END IF;
  IF NOT skeldir.signature_valid(v, headers, body) THEN
    http_status := 401; outcome := 'invalid_signature';
    response := jsonb_build_object('type', 'invalid_signature', 'title', 'Invalid Signature',
      'detail', format('the %s signature is missing, wrong or expired', v), 'vendor', v);
    RETURN;
  END IF;

  delivery_key := skeldir.header_delivery_key(v, headers);
  r := skeldir.read_webhook(v, coalesce(route_topic, headers ->> CASE v WHEN 'shopify' THEN 'x-shopify-topic'
                                                                     WHEN 'woocommerce' THEN 'x-wc-webhook-topic' END),
                            delivery_key, body);
  http_status := 200;
  IF r.error_type IS NOT NULL THEN
    dead_id := skeldir.record_dead_event(v, r.topic_name, delivery_key, r.error_type,
                                         r.error_message, r.payload, r.pii_paths, body, request_id);
    outcome := 'dlq_routed';
    response := jsonb_build_object('success', true, 'status', 'dlq_routed', 'dead_event_id', dead_id,
      'correlation_id', request_id, 'error_type', r.error_type,
      'message', 'Webhook could not be used and was dead-lettered: ' || skeldir.dead_letter_reason(r.error_type, r.error_message));
    RETURN;
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, r.pii_paths, delivery_key);
  tenant_id := skeldir.current_tenant_id();
  refresh_realtime := e.refresh_realtime;
  recompute_days := e.recompute_days;
  outcome := CASE WHEN e.duplicate THEN 'duplicate' ELSE 'accepted' END;
  response := jsonb_build_object('success', true, 'status', outcome, 'event_id', e.event_id,
    'idempotency_key', e.idempotency_key, 'channel', e.channel, 'correlation_id', e.correlation_id,
    'message', CASE WHEN e.duplicate THEN 'Duplicate webhook; already received' ELSE 'Webhook received' END);
END
$$;

ALTER FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb, OUT tenant_id uuid, OUT refresh_realtime boolean, OUT recompute_days date[]) OWNER TO skeldir_owner;

--
-- Name: request_attribution_recompute(uuid, date); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
BEGIN
  RETURN skeldir.enqueue('attribution.recompute', jsonb_build_object('day', day), tenant,
                         now() + interval '2 seconds', format('attribution.recompute:%s:%s', tenant, day));
END
$$;

ALTER FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) OWNER TO skeldir_owner;

--
-- Name: request_realtime_revenue(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_realtime_revenue(tenant uuid) RETURNS bigint
    LANGUAGE sql
    AS $$
  SELECT skeldir.enqueue('revenue.realtime', '{}', tenant, now() + interval '200 milliseconds',
                         'revenue.realtime:' || tenant)
$$;

ALTER FUNCTION skeldir.request_realtime_revenue(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[]); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[], request_ids uuid[]) RETURNS TABLE(http_status integer, outcome text, response jsonb)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH decided AS MATERIALIZED (
          SELECT d.n,
             r.http_status,
             r.outcome,
             r.response,
             r.tenant_id,
             r.refresh_realtime,
             r.recompute_days
            FROM (( SELECT u.vendor,
                     u.route,
                     u.headers,
                     u.body,
                     u.request_id,
                     u.n
                    FROM UNNEST(ingest_webhooks.vendors, ingest_webhooks.routes, ingest_webhooks.headers, ingest_webhooks.bodies, ingest_webhooks.request_ids) WITH ORDINALITY u(vendor, route, headers, body, request_id, n)
                   ORDER BY (sha256(u.body)), u.n) d
              CROSS JOIN LATERAL skeldir.ingest_delivery(d.vendor, d.route, d.headers, d.body, d.request_id) r(http_status, outcome, response, tenant_id, refresh_realtime, recompute_days))
         ), requested AS MATERIALIZED (
          SELECT
                 CASE
                     WHEN (x.day IS NULL) THEN skeldir.request_realtime_revenue(x.tenant_id)
                     ELSE skeldir.request_attribution_recompute(x.tenant_id, x.day)
                 END AS request_attribution_recompute
            FROM ( SELECT u.tenant_id,
                     u.day
                    FROM ( SELECT decided_1.tenant_id,
                             NULL::date AS day
                            FROM decided decided_1
                           WHERE decided_1.refresh_realtime
                         UNION
                          SELECT decided_1.tenant_id,
                             day.day
                            FROM decided decided_1,
                             LATERAL unnest(decided_1.recompute_days) day(day)) u
                   ORDER BY (u.day IS NOT NULL), u.tenant_id, u.day) x
         )
  SELECT decided.http_status,
     decided.outcome,
     decided.response
    FROM decided
   WHERE (( SELECT count(*) AS count
            FROM requested) IS NOT NULL)
   ORDER BY decided.n;
END;

ALTER FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[], request_ids uuid[]) OWNER TO skeldir_owner;

--
-- Name: investigation_status_for(uuid, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.investigation_status_for(tenant uuid, investigation_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.investigation_status(investigation_id);
END
$$;

ALTER FUNCTION skeldir.investigation_status_for(tenant uuid, investigation_id uuid) OWNER TO skeldir_owner;

--
-- Name: investigation_status(text, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.investigation_status(access_token text, investigation_id uuid) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.investigation_status_for(skeldir.session_tenant(access_token), investigation_id) AS investigation_status_for;
END;

ALTER FUNCTION api.investigation_status(access_token text, investigation_id uuid) OWNER TO skeldir_owner;

--
-- Name: login(text, text, inet, interval, interval, interval, integer, integer); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
  normalized text := skeldir.normalize_email(email);
  ip_subject bytea := skeldir.login_subject('ip', host(client_ip));
  email_subject bytea := skeldir.login_subject('email', normalized);
  asof timestamptz;
  wait integer;
  found skeldir.users;
  matches boolean;
  session uuid := gen_random_uuid();
  issued jsonb;
BEGIN
  PERFORM skeldir.check_password(password);
  IF client_ip IS NULL THEN
    RAISE EXCEPTION 'client address is required' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'client_ip';
  END IF;
  IF throttle_window IS NULL OR throttle_window <= interval '0'
     OR coalesce(max_failures_per_ip, 0) < 1 OR coalesce(max_failures_per_email, 0) < 1 THEN
    RAISE EXCEPTION 'login limits must be positive (window %, per address %, per email %)',
                    throttle_window, max_failures_per_ip, max_failures_per_email
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'throttle_window';
  END IF;
  PERFORM skeldir.set_tenant_context('', true);

  PERFORM skeldir.take_turns('login/' || encode(ip_subject, 'hex'), 'login/' || encode(email_subject, 'hex'));
  asof := clock_timestamp();
  DELETE FROM skeldir.login_failures AS f WHERE f.failed_at <= asof - throttle_window;

  wait := greatest(skeldir.login_retry_after(ip_subject, max_failures_per_ip, throttle_window, asof),
                   skeldir.login_retry_after(email_subject, max_failures_per_email, throttle_window, asof));
  IF wait IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'rate_limited', 'retry_after', wait);
  END IF;

  PERFORM skeldir.set_local('app.presented_login_email', normalized, true);
  SELECT u.* INTO found FROM skeldir.users AS u WHERE u.email = normalized ORDER BY u.created_at LIMIT 1;
  PERFORM skeldir.set_local('app.presented_login_email', '', true);

  -- A fixed salt of the same cost stands in for a missing user, so an
  -- unknown email takes as long as a wrong password.
  matches := extensions.crypt(password, coalesce(found.password_hash, '$2a$10$CwTycUXWue0Thq9StjUM0u'))
             = found.password_hash
             AND found.disabled_at IS NULL;
  IF NOT coalesce(matches, false) THEN
    INSERT INTO skeldir.login_failures (subject, failed_at)
    VALUES (ip_subject, clock_timestamp()), (email_subject, clock_timestamp());
    RETURN jsonb_build_object('outcome', 'invalid_credentials');
  END IF;

  -- The right password clears the email's failures, not the address's.
  DELETE FROM skeldir.login_failures AS f WHERE f.subject = email_subject;
  PERFORM skeldir.set_tenant_context(found.tenant_id::text, true);
  issued := skeldir.issue_refresh_token(found.id, session, refresh_ttl)
            || skeldir.issue_access_token(found.tenant_id, found.id, session, access_ttl);
  RETURN jsonb_build_object('outcome', 'ok', 'user_id', found.id, 'tenant_id', found.tenant_id,
                            'email', found.email) || issued;
END
$_$;

ALTER FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer) OWNER TO skeldir_owner;

--
-- Name: FUNCTION login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer); Type: COMMENT; Schema: api; Owner: skeldir_owner
--

COMMENT ON FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer) IS 'Checks email and password under per-address and per-email failure limits; on success starts a session: a refresh-token family and an access token.';

--
-- Name: logout(text, text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.logout(access_token text, refresh_token text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  presenter record := skeldir.enter_session(access_token);
  family uuid;
  revoked bigint;
BEGIN
  IF refresh_token IS NOT NULL THEN
    SELECT t.family_id INTO family FROM skeldir.refresh_tokens AS t
     WHERE t.token_hash = skeldir.refresh_token_digest(refresh_token) AND t.user_id = presenter.user_id;
    IF family IS NULL THEN
      RAISE EXCEPTION 'refresh_token is not a refresh token of this user'
        USING ERRCODE = 'invalid_parameter_value', COLUMN = 'refresh_token';
    END IF;
  END IF;
  UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = 'logout'
   WHERE t.user_id = presenter.user_id AND t.revoked_at IS NULL
     AND (family IS NULL OR t.family_id = family);
  GET DIAGNOSTICS revoked = ROW_COUNT;
  RETURN jsonb_build_object('revoked_tokens', revoked);
END
$$;

ALTER FUNCTION api.logout(access_token text, refresh_token text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION logout(access_token text, refresh_token text); Type: COMMENT; Schema: api; Owner: skeldir_owner
--

COMMENT ON FUNCTION api.logout(access_token text, refresh_token text) IS 'Ends the presenting user''s session named by a refresh token, or all of the user''s sessions.';

--
-- Name: put_spend_for(uuid, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.put_spend_for(tenant uuid, rows jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN jsonb_build_object('stored', skeldir.record_spend(rows));
END
$$;

ALTER FUNCTION skeldir.put_spend_for(tenant uuid, rows jsonb) OWNER TO skeldir_owner;

--
-- Name: FUNCTION put_spend_for(tenant uuid, rows jsonb); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.put_spend_for(tenant uuid, rows jsonb) IS 'Stores (or replaces) ad spend rows for the tenant; all or nothing.';

--
-- Name: put_spend(text, jsonb); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.put_spend(access_token text, rows jsonb) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.put_spend_for(skeldir.session_tenant(access_token), rows) AS put_spend_for;
END;

ALTER FUNCTION api.put_spend(access_token text, rows jsonb) OWNER TO skeldir_owner;

--
-- Name: queue_stats(); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.queue_stats() RETURNS TABLE(queue text, state text, jobs bigint, oldest_due_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT (q.q)::text AS q,
     (s.s)::text AS s,
     ( SELECT count(*) AS count
            FROM skeldir.jobs j
           WHERE ((j.queue = q.q) AND (j.state = s.s))) AS count,
         CASE
             WHEN (s.s = 'available'::skeldir.job_state) THEN COALESCE(( SELECT EXTRACT(epoch FROM (now() - min(j.run_at))) AS "extract"
                FROM skeldir.jobs j
               WHERE ((j.queue = q.q) AND (j.state = 'available'::skeldir.job_state) AND (j.run_at <= now()))), (0)::numeric)
             ELSE NULL::numeric
         END AS "case"
    FROM unnest(enum_range(NULL::skeldir.queue)) q(q),
     unnest(ARRAY['available'::skeldir.job_state, 'running'::skeldir.job_state, 'dead'::skeldir.job_state]) s(s)
   ORDER BY (q.q)::text, (s.s)::text;
END;

ALTER FUNCTION api.queue_stats() OWNER TO skeldir_owner;

--
-- Name: readiness(); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.readiness() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  probe uuid := gen_random_uuid();
  rls_ok boolean;
  guc_ok boolean;
  feed text;
BEGIN
  -- The change feed is reported, never counted against readiness: behind or
  -- stalled, its changes wait in the slot and webhooks are still stored.
  SELECT CASE WHEN f.mode = 'fallback' THEN 'fallback'
              WHEN f.heartbeat_at IS NULL OR f.heartbeat_at < now() - f.stale_after THEN 'stalled'
              WHEN f.lag_seconds >= 10 THEN 'behind'
              ELSE 'ok' END INTO feed
    FROM skeldir.change_feed AS f;

  PERFORM skeldir.set_tenant_context(probe::text, true);
  guc_ok := skeldir.current_tenant_id() IS NOT DISTINCT FROM probe;

  SELECT coalesce(bool_and(c.relrowsecurity AND c.relforcerowsecurity), false) INTO rls_ok
    FROM skeldir.tenant_tables() AS t JOIN pg_class AS c ON c.oid = t;
  rls_ok := rls_ok AND NOT EXISTS (SELECT 1 FROM skeldir.tenants);

  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
  RETURN jsonb_build_object(
    'status',     CASE WHEN rls_ok AND guc_ok THEN 'ok' ELSE 'unhealthy' END,
    'database',   'ok',
    'rls',        CASE WHEN rls_ok THEN 'ok' ELSE 'error' END,
    'tenant_guc', CASE WHEN guc_ok THEN 'ok' ELSE 'error' END,
    'change_feed', coalesce(feed, 'fallback'));
END
$$;

ALTER FUNCTION api.readiness() OWNER TO skeldir_owner;

--
-- Name: FUNCTION readiness(); Type: COMMENT; Schema: api; Owner: skeldir_owner
--

COMMENT ON FUNCTION api.readiness() IS 'Readiness report: {status, database, rls, tenant_guc, change_feed}; status is ok only when database, rls and tenant_guc are; change_feed (ok, behind, stalled, fallback) is informative.';

--
-- Name: major_units(numeric, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.major_units(minor numeric, currency text) RETURNS numeric
    LANGUAGE sql STABLE
    AS $$
  SELECT (SELECT skeldir.in_major_units(minor, c.exponent) FROM skeldir.currencies AS c WHERE c.code = currency)
$$;

ALTER FUNCTION skeldir.major_units(minor numeric, currency text) OWNER TO skeldir_owner;

--
-- Name: realtime_revenue_for(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.realtime_revenue_for(tenant uuid) RETURNS TABLE(currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint, net_cents bigint, captures bigint, last_booked_at timestamp with time zone, refreshed_at timestamp with time zone, freshness_seconds integer)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
BEGIN
  PERFORM skeldir.set_tenant_context(coalesce(tenant::text, ''), true);
  RETURN QUERY
    SELECT r.currency, r.captured_cents, r.refunded_cents, r.chargeback_cents, r.net_cents, r.captures,
           r.last_booked_at, r.refreshed_at, greatest(0, floor(extract(epoch FROM now() - r.refreshed_at)))::integer
      FROM skeldir.realtime_revenue AS r
     WHERE r.tenant_id = tenant
     ORDER BY r.currency;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END
$$;

ALTER FUNCTION skeldir.realtime_revenue_for(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: reconciliation_status_for(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_status_for(tenant uuid) RETURNS TABLE(platform text, side text, display_name text, status text, orders_total integer, verified_count integer, ghost_count integer, discrepancy_count integer, unmatched_count integer, verified_revenue jsonb, last_synced_at timestamp with time zone, error text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT r.platform::text, r.side, r.display_name, r.status::text, r.orders_total, r.verified_count,
         r.ghost_count, r.discrepancy_count, r.unmatched_count, r.verified_revenue, r.last_synced_at, r.error
    FROM skeldir.reconciliation_rows(reconciliation_status_for.tenant) AS r
   ORDER BY r.side DESC, r.platform
$$;

ALTER FUNCTION skeldir.reconciliation_status_for(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: realtime_revenue_counter_for(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.realtime_revenue_counter_for(tenant uuid, OUT etag text, OUT body jsonb) RETURNS record
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH r AS (
          SELECT realtime_revenue.currency,
             realtime_revenue.captured_cents,
             realtime_revenue.refunded_cents,
             realtime_revenue.chargeback_cents,
             realtime_revenue.net_cents,
             realtime_revenue.captures,
             realtime_revenue.last_booked_at,
             realtime_revenue.refreshed_at,
             realtime_revenue.freshness_seconds
            FROM skeldir.realtime_revenue_for(realtime_revenue_counter_for.tenant) realtime_revenue(currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, last_booked_at, refreshed_at, freshness_seconds)
         ), refreshed AS (
          SELECT COALESCE(( SELECT min(r.refreshed_at) AS min
                    FROM r), now()) AS at
         ), data AS (
          SELECT jsonb_build_object('tenant_id', realtime_revenue_counter_for.tenant, 'currency', main.currency, 'total_revenue', COALESCE(skeldir.major_units((main.net_cents)::numeric, main.currency), (0)::numeric), 'event_count', ( SELECT COALESCE(sum(r.captures), (0)::numeric) AS "coalesce"
                    FROM r), 'last_updated', COALESCE(( SELECT max(r.last_booked_at) AS max
                    FROM r), ( SELECT refreshed_1.at
                    FROM refreshed refreshed_1)), 'verified', COALESCE(( SELECT bool_and((s.status = 'verified'::text)) FILTER (WHERE (s.orders_total > 0)) AS bool_and
                    FROM skeldir.reconciliation_status_for(realtime_revenue_counter_for.tenant) s(platform, side, display_name, status, orders_total, verified_count, ghost_count, discrepancy_count, unmatched_count, verified_revenue, last_synced_at, error)), false), 'currencies', COALESCE(( SELECT jsonb_agg(jsonb_build_object('currency', r.currency, 'captured', skeldir.major_units((r.captured_cents)::numeric, r.currency), 'refunded', skeldir.major_units((r.refunded_cents)::numeric, r.currency), 'chargebacks', skeldir.major_units((r.chargeback_cents)::numeric, r.currency), 'net', skeldir.major_units((r.net_cents)::numeric, r.currency), 'captures', r.captures) ORDER BY r.currency) AS jsonb_agg
                    FROM r), '[]'::jsonb)) AS d
            FROM (( SELECT NULL::text AS "?column?") one
              LEFT JOIN LATERAL ( SELECT r.currency,
                     r.net_cents
                    FROM r
                   ORDER BY r.captured_cents DESC, r.currency
                  LIMIT 1) main ON (true))
         )
  SELECT (('"'::text || md5((data.d)::text)) || '"'::text),
     (data.d || jsonb_build_object('refreshed_at', refreshed.at, 'data_freshness_seconds', (GREATEST((0)::numeric, floor(EXTRACT(epoch FROM (now() - refreshed.at)))))::integer))
    FROM data,
     refreshed;
END;

ALTER FUNCTION skeldir.realtime_revenue_counter_for(tenant uuid, OUT etag text, OUT body jsonb) OWNER TO skeldir_owner;

--
-- Name: realtime_revenue_counter(text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb) RETURNS record
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT realtime_revenue_counter_for.etag,
     realtime_revenue_counter_for.body
    FROM skeldir.realtime_revenue_counter_for(skeldir.session_tenant(realtime_revenue_counter.access_token)) realtime_revenue_counter_for(etag, body);
END;

ALTER FUNCTION api.realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb) OWNER TO skeldir_owner;

--
-- Name: reconciliation_overview_for(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_overview_for(tenant uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  platforms jsonb;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  SELECT coalesce(jsonb_agg(skeldir.reconciliation_platform_json(s) ORDER BY s.side DESC, s.platform), '[]')
    INTO platforms
    FROM skeldir.reconciliation_rows(tenant) AS s;
  RETURN jsonb_build_object(
    'platforms', platforms,
    'overall_status', CASE WHEN jsonb_array_length(platforms) = 0 THEN 'pending'
                           WHEN platforms @> '[{"connection_status": "failed"}]' THEN 'failed'
                           WHEN platforms @> '[{"connection_status": "pending"}]' THEN 'pending'
                           WHEN platforms @> '[{"connection_status": "partial"}]' THEN 'partial'
                           ELSE 'verified' END,
    'last_full_sync', coalesce((SELECT to_jsonb(min((p ->> 'last_sync')::timestamptz))
                                  FROM jsonb_array_elements(platforms) AS p),
                               (SELECT to_jsonb(t.created_at) FROM skeldir.tenants AS t WHERE t.id = tenant)));
END
$$;

ALTER FUNCTION skeldir.reconciliation_overview_for(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: reconciliation_overview(text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.reconciliation_overview(access_token text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.reconciliation_overview_for(skeldir.session_tenant(access_token)) AS reconciliation_overview_for;
END;

ALTER FUNCTION api.reconciliation_overview(access_token text) OWNER TO skeldir_owner;

--
-- Name: reconciliation_platform_for(uuid, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_platform_for(tenant uuid, platform_id text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  s analytics.mv_reconciliation_status;
  shown uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  SELECT * INTO s FROM skeldir.reconciliation_rows(tenant) AS r
   WHERE lower(platform_id) IN (r.platform::text, lower(r.display_name));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciled platform %', quote_literal(platform_id)
      USING ERRCODE = 'no_data_found', HINT = 'Platforms: shopify, woocommerce, stripe, paypal.';
  END IF;
  -- The run the view's numbers come from: the completed run that finished
  -- when the platform last synced (the view may lag the runs); failing that
  -- (the run was rerun since the view refreshed), the platform's synced run.
  SELECT r.id INTO shown FROM skeldir.reconciliation_runs AS r
   WHERE r.tenant_id = tenant AND r.status = 'completed' AND r.finished_at = s.last_synced_at
   ORDER BY r.requested_at DESC
   LIMIT 1;
  IF shown IS NULL AND s.last_synced_at IS NOT NULL THEN
    SELECT p.synced_run_id INTO shown FROM skeldir.reconciliation_platform_status AS p
     WHERE p.tenant_id = tenant AND p.platform = s.platform;
  END IF;
  RETURN skeldir.reconciliation_platform_json(s) || jsonb_build_object('discrepancies', (
    SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
             'id', x.id, 'order_id', x.order_id, 'outcome', x.outcome, 'ordered_at', x.ordered_at,
             'shop_platform', x.shop_platform, 'processor_platform', x.processor_platform, 'currency', x.currency,
             'claimed', skeldir.major_units(x.claimed_cents, x.currency),
             'captured', skeldir.major_units(x.captured_cents, x.currency),
             'discrepancy_bps', x.discrepancy_bps))
             ORDER BY x.ordered_at DESC, x.order_id, x.shop_platform), '[]')
      FROM (SELECT y.* FROM skeldir.reconciliation_results AS y
             WHERE y.tenant_id = tenant AND y.run_id = shown AND y.outcome <> 'verified'
               AND s.platform = CASE s.side WHEN 'shop' THEN y.shop_platform ELSE y.processor_platform END
             ORDER BY y.ordered_at DESC, y.order_id, y.shop_platform
             LIMIT 100) AS x));
END
$$;

ALTER FUNCTION skeldir.reconciliation_platform_for(tenant uuid, platform_id text) OWNER TO skeldir_owner;

--
-- Name: reconciliation_platform(text, text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.reconciliation_platform(access_token text, platform_id text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.reconciliation_platform_for(skeldir.session_tenant(access_token), platform_id) AS reconciliation_platform_for;
END;

ALTER FUNCTION api.reconciliation_platform(access_token text, platform_id text) OWNER TO skeldir_owner;

--
-- Name: refresh_session(text, interval, interval); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  digest bytea := skeldir.refresh_token_digest(refresh_token);
  tenant uuid;
  presented skeldir.refresh_tokens;
  owner skeldir.users;
BEGIN
  PERFORM skeldir.set_tenant_context('', true);
  IF coalesce(refresh_token, '') = '' THEN
    RAISE EXCEPTION 'refresh_token is required' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'refresh_token';
  END IF;

  PERFORM skeldir.set_local('app.presented_refresh_token_hash', encode(digest, 'hex'), true);
  SELECT t.tenant_id INTO tenant FROM skeldir.refresh_tokens AS t WHERE t.token_hash = digest;
  PERFORM skeldir.set_local('app.presented_refresh_token_hash', '', true);
  IF tenant IS NULL THEN
    RETURN jsonb_build_object('outcome', 'invalid');
  END IF;

  PERFORM skeldir.set_tenant_context(tenant::text, true);
  SELECT t.* INTO presented FROM skeldir.refresh_tokens AS t WHERE t.tenant_id = tenant AND t.token_hash = digest FOR UPDATE;
  IF presented.revoked_at IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'invalid');
  END IF;
  IF presented.rotated_at IS NOT NULL THEN
    UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = 'reuse'
     WHERE t.family_id = presented.family_id AND t.revoked_at IS NULL;
    RETURN jsonb_build_object('outcome', 'reused', 'family_id', presented.family_id);
  END IF;
  IF presented.expires_at <= now() THEN
    RETURN jsonb_build_object('outcome', 'invalid');
  END IF;

  SELECT u.* INTO owner FROM skeldir.users AS u WHERE u.id = presented.user_id;
  IF owner.disabled_at IS NOT NULL THEN
    UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = 'user_disabled'
     WHERE t.family_id = presented.family_id AND t.revoked_at IS NULL;
    RETURN jsonb_build_object('outcome', 'invalid');
  END IF;

  UPDATE skeldir.refresh_tokens AS t SET rotated_at = now() WHERE t.id = presented.id;
  RETURN jsonb_build_object('outcome', 'ok', 'user_id', owner.id, 'tenant_id', owner.tenant_id,
                            'email', owner.email)
         || skeldir.issue_refresh_token(owner.id, presented.family_id, refresh_ttl)
         || skeldir.issue_access_token(owner.tenant_id, owner.id, presented.family_id, access_ttl);
END
$$;

ALTER FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) OWNER TO skeldir_owner;

--
-- Name: FUNCTION refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval); Type: COMMENT; Schema: api; Owner: skeldir_owner
--

COMMENT ON FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) IS 'Rotates a refresh token and issues an access token of its session; a rotated token presented again revokes its whole family.';

--
-- Name: request_reconciliation_for(uuid, date, date); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_reconciliation_for(tenant uuid, start_date date, end_date date) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  run uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  IF start_date IS NOT NULL AND end_date IS NOT NULL THEN
    PERFORM skeldir.valid_day_range(start_date, end_date);
  END IF;
  run := skeldir.request_reconciliation(
           coalesce(start_date::timestamp AT TIME ZONE 'UTC', '-infinity'),
           coalesce((end_date + 1)::timestamp AT TIME ZONE 'UTC', 'infinity'));
  RETURN (SELECT jsonb_build_object(
                   'sync_id', r.id,
                   'status', CASE r.status WHEN 'queued' THEN 'queued' ELSE 'in_progress' END,
                   'estimated_completion', now() + interval '30 seconds')
            FROM skeldir.reconciliation_runs AS r WHERE r.id = run);
END
$$;

ALTER FUNCTION skeldir.request_reconciliation_for(tenant uuid, start_date date, end_date date) OWNER TO skeldir_owner;

--
-- Name: request_reconciliation(text, date, date); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.request_reconciliation(access_token text, start_date date, end_date date) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.request_reconciliation_for(skeldir.session_tenant(access_token), start_date, end_date) AS request_reconciliation_for;
END;

ALTER FUNCTION api.request_reconciliation(access_token text, start_date date, end_date date) OWNER TO skeldir_owner;

--
-- Name: revenue_export_for(uuid, date, date, text[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.revenue_export_for(tenant uuid, from_day date, to_day date, channels text[] DEFAULT NULL::text[]) RETURNS TABLE(ledger_id uuid, day date, occurred_at timestamp with time zone, order_id text, vendor text, transaction_id text, state text, currency text, amount_minor bigint, amount text, net_amount text, channel text, event_id uuid)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  stray text;
BEGIN
  PERFORM skeldir.valid_day_range(from_day, to_day);
  SELECT c INTO stray
    FROM unnest(channels) AS c
   WHERE NOT EXISTS (SELECT 1 FROM skeldir.channel_taxonomy AS t WHERE t.code = c)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'unknown channel %', coalesce(quote_literal(stray), '(null)')
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;

  -- The ledger is confined by forced RLS even for its owner (the view
  -- reads it as the caller).
  PERFORM skeldir.set_tenant_context(tenant::text, true);
  RETURN QUERY
    SELECT l.id, (l.occurred_at AT TIME ZONE 'UTC')::date, l.occurred_at, l.order_id, l.vendor::text,
           l.transaction_id, l.state::text, l.currency, l.amount_cents,
           round(l.amount_cents / power(10::numeric, x.exponent), x.exponent)::text,
           round(CASE WHEN l.state = 'captured' THEN l.amount_cents ELSE -l.amount_cents END
                 / power(10::numeric, x.exponent), x.exponent)::text,
           e.channel, l.event_id
      FROM skeldir.revenue_of_record AS l
      JOIN skeldir.currencies AS x ON x.code = l.currency
      JOIN skeldir.attribution_events AS e ON e.tenant_id = l.tenant_id AND e.id = l.event_id
     WHERE l.tenant_id = tenant
       AND l.occurred_at >= from_day::timestamp AT TIME ZONE 'UTC'
       AND l.occurred_at < (to_day + 1)::timestamp AT TIME ZONE 'UTC'
       AND (coalesce(cardinality(channels), 0) = 0 OR e.channel = ANY (channels))
     ORDER BY l.occurred_at, l.id;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END
$$;

ALTER FUNCTION skeldir.revenue_export_for(tenant uuid, from_day date, to_day date, channels text[]) OWNER TO skeldir_owner;

--
-- Name: FUNCTION revenue_export_for(tenant uuid, from_day date, to_day date, channels text[]); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.revenue_export_for(tenant uuid, from_day date, to_day date, channels text[]) IS 'Revenue export rows of a tenant over [from_day, to_day] (UTC days), optionally for some channels; ordered by occurred_at, ledger id.';

--
-- Name: revenue_export(text, date, date, text[]); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.revenue_export(access_token text, from_day date, to_day date, channels text[] DEFAULT NULL::text[]) RETURNS TABLE(ledger_id uuid, day date, occurred_at timestamp with time zone, order_id text, vendor text, transaction_id text, state text, currency text, amount_minor bigint, amount text, net_amount text, channel text, event_id uuid)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT revenue_export_for.ledger_id,
     revenue_export_for.day,
     revenue_export_for.occurred_at,
     revenue_export_for.order_id,
     revenue_export_for.vendor,
     revenue_export_for.transaction_id,
     revenue_export_for.state,
     revenue_export_for.currency,
     revenue_export_for.amount_minor,
     revenue_export_for.amount,
     revenue_export_for.net_amount,
     revenue_export_for.channel,
     revenue_export_for.event_id
    FROM skeldir.revenue_export_for(skeldir.session_tenant(revenue_export.access_token), revenue_export.from_day, revenue_export.to_day, revenue_export.channels) revenue_export_for(ledger_id, day, occurred_at, order_id, vendor, transaction_id, state, currency, amount_minor, amount, net_amount, channel, event_id);
END;

ALTER FUNCTION api.revenue_export(access_token text, from_day date, to_day date, channels text[]) OWNER TO skeldir_owner;

--
-- Name: start_budget_optimization_for(uuid, numeric, text, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.start_budget_optimization_for(tenant uuid, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  most constant numeric := 1e12;
BEGIN
  IF total_budget > most THEN
    RAISE EXCEPTION 'total_budget must be at most %', most USING ERRCODE = 'invalid_parameter_value', COLUMN = 'total_budget';
  END IF;
  IF jsonb_typeof(constraints) = 'object' AND EXISTS (
       SELECT 1 FROM jsonb_each(constraints) AS l
        CROSS JOIN LATERAL jsonb_each(CASE jsonb_typeof(l.value) WHEN 'object' THEN l.value ELSE '{}' END) AS k
        WHERE l.key IN ('channel_minimums', 'channel_maximums') AND jsonb_typeof(k.value) = 'number'
          AND k.value::text::numeric > most) THEN
    RAISE EXCEPTION 'channel minimums and maximums must be at most %', most
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.start_budget_optimization(total_budget, optimization_goal, coalesce(constraints, '{}'), '{}', request_id);
END
$$;

ALTER FUNCTION skeldir.start_budget_optimization_for(tenant uuid, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_budget_optimization(text, numeric, text, jsonb, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.start_budget_optimization_for(skeldir.session_tenant(access_token), total_budget, optimization_goal, constraints, request_id) AS start_budget_optimization_for;
END;

ALTER FUNCTION api.start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_investigation_for(uuid, text, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.start_investigation_for(tenant uuid, question text, context jsonb, request_id uuid) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant);
  RETURN skeldir.start_investigation(question, coalesce(context, '{}'), request_id);
END
$$;

ALTER FUNCTION skeldir.start_investigation_for(tenant uuid, question text, context jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_investigation(text, text, jsonb, uuid); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.start_investigation(access_token text, question text, context jsonb, request_id uuid) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT skeldir.start_investigation_for(skeldir.session_tenant(access_token), question, context, request_id) AS start_investigation_for;
END;

ALTER FUNCTION api.start_investigation(access_token text, question text, context jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_worker_probe(); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.start_worker_probe() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    RETURN skeldir.enqueue('health.probe'::text);

ALTER FUNCTION api.start_worker_probe() OWNER TO skeldir_owner;

--
-- Name: verify_session(text); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.verify_session(access_token text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  presenter record := skeldir.enter_session(access_token);
BEGIN
  RETURN (SELECT jsonb_build_object('user_id', u.id, 'tenant_id', u.tenant_id, 'email', u.email,
                                    'expires_at', presenter.expires_at)
            FROM skeldir.users AS u WHERE u.id = presenter.user_id);
END
$$;

ALTER FUNCTION api.verify_session(access_token text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION verify_session(access_token text); Type: COMMENT; Schema: api; Owner: skeldir_owner
--

COMMENT ON FUNCTION api.verify_session(access_token text) IS 'The user of a valid access token and when the token expires; PT401 for any other token.';

--
-- Name: worker_probe(bigint); Type: FUNCTION; Schema: api; Owner: skeldir_owner
--

CREATE FUNCTION api.worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision) RETURNS record
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT (j.state)::text AS state,
     (EXTRACT(epoch FROM (j.finished_at - j.created_at)) * (1000)::numeric)
    FROM skeldir.jobs j
   WHERE ((j.id = worker_probe.probe_id) AND (j.kind = 'health.probe'::text));
END;

ALTER FUNCTION api.worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision) OWNER TO skeldir_owner;

--
-- Name: allocation_summary_for(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.allocation_summary_for(tenant uuid) RETURNS TABLE(model text, channel text, currency text, allocated_cents bigint, purchases bigint, average_ratio numeric, model_version text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT a.model::text, a.channel, a.currency, a.allocated_cents, a.purchases, a.average_ratio, a.model_version
    FROM analytics.mv_allocation_summary AS a
   WHERE a.tenant_id = allocation_summary_for.tenant
   ORDER BY a.model, a.currency, a.allocated_cents DESC, a.channel
$$;

ALTER FUNCTION skeldir.allocation_summary_for(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: analyst_tenant(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.analyst_tenant() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT a.tenant FROM skeldir.analyst_logins AS a WHERE a.login = session_user $$;

ALTER FUNCTION skeldir.analyst_tenant() OWNER TO skeldir_owner;

--
-- Name: attribute(jsonb, text, text, text[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.attribute(list jsonb, key_field text, value_field text, VARIADIC names text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
  RETURN (SELECT nullif(btrim(e ->> value_field), '')
            FROM jsonb_array_elements(CASE jsonb_typeof(list) WHEN 'array' THEN list ELSE '[]' END)
                 WITH ORDINALITY AS a(e, n)
           WHERE jsonb_typeof(e) = 'object' AND e ->> key_field = ANY (names)
           ORDER BY array_position(names, e ->> key_field), n
           LIMIT 1);
END
$$;

ALTER FUNCTION skeldir.attribute(list jsonb, key_field text, value_field text, VARIADIC names text[]) OWNER TO skeldir_owner;

--
-- Name: attribution_days(text[], date[], text[], timestamp with time zone[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamp with time zone[]) RETURNS date[]
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  found date[] := days;
  part date[];
  o text;
BEGIN
  IF coalesce(cardinality(orders), 0) = 0 AND coalesce(cardinality(sessions), 0) = 0 THEN
    IF coalesce(cardinality(days), 0) = 0 THEN
      RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(days) AS d WHERE d IS NOT NULL);
  END IF;
  -- The purchases of each order, and those of each session in the 30 days
  -- after its touch (a session or a time missing: none).
  FOREACH o IN ARRAY coalesce(orders, '{}') LOOP
    SELECT array_agg((e.occurred_at AT TIME ZONE 'UTC')::date) INTO part
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.order_id = o AND e.event_type = 'purchase' AND e.revenue_cents > 0;
    found := found || part;
  END LOOP;
  FOR i IN 1 .. coalesce(cardinality(sessions), 0) LOOP
    SELECT array_agg((e.occurred_at AT TIME ZONE 'UTC')::date) INTO part
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.session_id = sessions[i]
       AND e.occurred_at BETWEEN touched_at[i] AND touched_at[i] + interval '30 days'
       AND e.event_type = 'purchase' AND e.revenue_cents > 0;
    found := found || part;
  END LOOP;
  RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(found) AS d WHERE d IS NOT NULL);
END
$$;

ALTER FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamp with time zone[]) OWNER TO skeldir_owner;

--
-- Name: body_delivery_key(skeldir.vendor, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.body_delivery_key(vendor skeldir.vendor, payload jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((length(btrim((payload ->> 'id'::text))) >= 1) AND (length(btrim((payload ->> 'id'::text))) <= 200)) THEN (CASE vendor WHEN 'stripe'::skeldir.vendor THEN 'stripe:'::text WHEN 'paypal'::skeldir.vendor THEN 'paypal:'::text ELSE NULL::text END || btrim((payload ->> 'id'::text))) ELSE NULL::text END;

ALTER FUNCTION skeldir.body_delivery_key(vendor skeldir.vendor, payload jsonb) OWNER TO skeldir_owner;

--
-- Name: book_money(skeldir.vendor, skeldir.delivery, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  m skeldir.money_movement;
  booked bigint := 0;
  rows_booked integer := 0;
  amount bigint;
  inserted integer;
BEGIN
  IF d.refund_cap_cents IS NOT NULL THEN
    PERFORM skeldir.take_turns('refund/' || tenant || '/' || vendor || '/' || d.reverses_transaction_id);
    SELECT coalesce(sum(l.amount_cents), 0) INTO booked
      FROM skeldir.revenue_ledger AS l
     WHERE l.tenant_id = tenant AND l.vendor = book_money.vendor AND l.state = 'refunded'
       AND coalesce(l.reverses_transaction_id, l.transaction_id) = d.reverses_transaction_id;
  END IF;
  FOREACH m IN ARRAY coalesce(d.movements,
      ARRAY[ROW(d.transaction_id, d.ledger_state, d.revenue_cents, d.occurred_at)::skeldir.money_movement]) LOOP
    CONTINUE WHEN m.state IS NULL;
    amount := m.amount_cents;
    IF m.state = 'refunded' AND d.refund_cap_cents IS NOT NULL THEN
      amount := least(amount, d.refund_cap_cents - booked);
      CONTINUE WHEN amount <= 0;
    END IF;
    INSERT INTO skeldir.revenue_ledger
      (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at,
       reverses_transaction_id)
    VALUES
      (tenant, vendor, m.transaction_id, m.state, d.order_id, amount, d.currency, event_id,
       coalesce(m.occurred_at, d.occurred_at), CASE WHEN m.state <> 'captured' THEN d.reverses_transaction_id END)
    ON CONFLICT ON CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    rows_booked := rows_booked + inserted;
    IF inserted > 0 AND m.state = 'refunded' THEN
      booked := booked + amount;
    END IF;
  END LOOP;
  RETURN rows_booked;
END
$$;

ALTER FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) IS 'Books a delivery''s money movements in the ledger, each once; capped refunds never exceed their cap; returns the rows booked.';

--
-- Name: budget_recommendation(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  b skeldir.budget_optimization_jobs;
  s record;
BEGIN
  SELECT * INTO b FROM skeldir.budget_optimization_jobs AS x WHERE x.tenant_id = tenant AND x.id = budget_optimization_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  s := skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id);
  RETURN skeldir.jsonb_without_null_keys(jsonb_build_object(
           'job_id', b.id,
           'status', CASE s.status WHEN 'queued' THEN 'running' ELSE s.status END,
           'progress_percentage', s.progress_percentage,
           'allocations', b.result -> 'allocations',
           'synthesis', b.result -> 'synthesis',
           'note', b.result -> 'note',
           'spend_data_available', b.result -> 'spend_data_available',
           'unallocated_budget', b.result -> 'unallocated_budget',
           'metrics', CASE WHEN b.result IS NOT NULL THEN jsonb_build_object(
                        'deterministic_runtime_ms', floor(extract(epoch FROM b.finished_at - b.started_at) * 1000)::bigint,
                        'llm_cost_usd', b.result #> '{llm,cost_usd}') END,
           'error', s.error));
END
$$;

ALTER FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) OWNER TO skeldir_owner;

--
-- Name: certificate_rsa_key(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.certificate_rsa_key(certificate_pem text, OUT modulus numeric, OUT exponent numeric) RETURNS record
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  der bytea;
  at integer;
  bits record;
  key record;
  n record;
  e record;
BEGIN
  der := decode(regexp_replace(substring(certificate_pem FROM
           '-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----'), '\s', '', 'g'), 'base64');
  at := position('\x06092a864886f70d010101'::bytea IN der) - 1;
  IF der IS NULL OR at < 0 THEN
    RETURN;
  END IF;
  at := at + 11;
  IF get_byte(der, at) = 5 AND get_byte(der, at + 1) = 0 THEN
    at := at + 2;
  END IF;
  bits := skeldir.der_element(der, at, 3);
  IF bits.content_at IS NULL OR get_byte(der, bits.content_at) <> 0 THEN
    RETURN;
  END IF;
  key := skeldir.der_element(der, bits.content_at + 1, 48);
  n := skeldir.der_element(der, key.content_at, 2);
  e := skeldir.der_element(der, n.content_at + n.content_length, 2);
  IF e.content_at IS NULL THEN
    RETURN;
  END IF;
  modulus := skeldir.unsigned_number(substring(der FROM n.content_at + 1 FOR n.content_length));
  exponent := skeldir.unsigned_number(substring(der FROM e.content_at + 1 FOR e.content_length));
EXCEPTION WHEN data_exception OR invalid_parameter_value OR array_subscript_error THEN
  modulus := NULL;
  exponent := NULL;
END
$$;

ALTER FUNCTION skeldir.certificate_rsa_key(certificate_pem text, OUT modulus numeric, OUT exponent numeric) OWNER TO skeldir_owner;

--
-- Name: change_feed_slot(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.change_feed_slot() RETURNS text
    LANGUAGE sql STABLE
    RETURN ('skeldir_feed_'::text || "left"(md5((current_database())::text), 16));

ALTER FUNCTION skeldir.change_feed_slot() OWNER TO skeldir_owner;

--
-- Name: channel_code(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.channel_code(entity_id text) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  found text;
BEGIN
  SELECT t.code INTO found FROM skeldir.channel_taxonomy AS t WHERE t.code = entity_id;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  IF entity_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    SELECT t.code INTO found FROM skeldir.channel_taxonomy AS t WHERE skeldir.channel_id(t.code) = entity_id::uuid;
    IF found IS NULL THEN
      RAISE EXCEPTION 'no channel has id %', entity_id USING ERRCODE = 'no_data_found',
        HINT = 'GET /api/attribution/channels lists each channel''s id (channel_ids) beside its code (channels).';
    END IF;
    RETURN found;
  END IF;
  RAISE EXCEPTION 'unknown channel %', quote_literal(entity_id) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id',
    HINT = 'A channel_performance entity id is a channel id (UUID) or a channel code, as GET /api/attribution/channels lists them.';
END
$_$;

ALTER FUNCTION skeldir.channel_code(entity_id text) OWNER TO skeldir_owner;

--
-- Name: namespace_url(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.namespace_url() RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid;

ALTER FUNCTION skeldir.namespace_url() OWNER TO skeldir_owner;

--
-- Name: uuid_v5(uuid, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.uuid_v5(namespace uuid, name text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  h bytea := extensions.digest(uuid_send(namespace) || convert_to(name, 'UTF8'), 'sha1');
BEGIN
  RETURN encode(set_byte(set_byte(substring(h FROM 1 FOR 16),
                                  6, (get_byte(h, 6) & 15) | 80),    -- version 5
                         8, (get_byte(h, 8) & 63) | 128),            -- RFC 4122 variant
                'hex')::uuid;
END
$$;

ALTER FUNCTION skeldir.uuid_v5(namespace uuid, name text) OWNER TO skeldir_owner;

--
-- Name: channel_id(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.channel_id(code text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN skeldir.uuid_v5(skeldir.namespace_url(), ('urn:skeldir:channel:'::text || code));

ALTER FUNCTION skeldir.channel_id(code text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION channel_id(code text); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.channel_id(code text) IS 'A channel''s stable id: UUID v5 of urn:skeldir:channel:<taxonomy code>.';

--
-- Name: channel_performance_for(uuid, date, date); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.channel_performance_for(tenant uuid, from_day date, to_day date) RETURNS TABLE(channel text, display_name text, report_name text, family text, is_paid boolean, currency text, touched_purchases bigint, conversions bigint, last_touch_cents bigint, first_touch_cents bigint, linear_cents bigint, time_decay_cents bigint, position_based_cents bigint)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency,
         sum(c.touched_purchases)::bigint, sum(c.conversions)::bigint, sum(c.last_touch_cents)::bigint,
         sum(c.first_touch_cents)::bigint, sum(c.linear_cents)::bigint, sum(c.time_decay_cents)::bigint,
         sum(c.position_based_cents)::bigint
    FROM analytics.mv_channel_performance AS c
    JOIN skeldir.channel_taxonomy AS t ON t.code = c.channel
   WHERE skeldir.valid_day_range(channel_performance_for.from_day, channel_performance_for.to_day)
     AND c.tenant_id = channel_performance_for.tenant
     AND c.day >= channel_performance_for.from_day AND c.day <= channel_performance_for.to_day
   GROUP BY c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency
   ORDER BY c.currency, sum(c.linear_cents) DESC, c.channel
$$;

ALTER FUNCTION skeldir.channel_performance_for(tenant uuid, from_day date, to_day date) OWNER TO skeldir_owner;

--
-- Name: check_credit_sums(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.check_credit_sums() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
DECLARE
  drift record;
  drifting bigint;
  nestloop text;
BEGIN
  -- A recompute's own write: it checks what it wrote when the write is done.
  IF coalesce(current_setting('skeldir.attribution_writer', true), '') <> ''
     AND current_setting('skeldir.attribution_writer', true) = skeldir.current_tenant_id()::text
     AND NOT EXISTS (SELECT 1 FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM skeldir.current_tenant_id()) THEN
    RETURN NULL;
  END IF;
  -- Many rows (a window recomputed from scratch): the tenant's credits and
  -- events are read once and hashed, not looked up row by row (the planner,
  -- which cannot know the tenant behind the policy, picks lookups).
  IF (SELECT count(*) FROM changed) > 10000 THEN
    nestloop := current_setting('enable_nestloop');
    PERFORM set_config('enable_nestloop', 'off', true);
  END IF;
  EXECUTE format($check$
    SELECT a.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch,
           sum(a.first_touch_cents) AS first_touch, sum(a.linear_cents) AS linear,
           sum(a.time_decay_cents) AS time_decay, sum(a.position_based_cents) AS position_based
      FROM %s AS a
      JOIN %s AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
     WHERE (a.tenant_id, a.event_id) IN (SELECT c.tenant_id, c.event_id FROM changed AS c)
     GROUP BY a.tenant_id, a.event_id, e.revenue_cents
    HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
                AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
                AND sum(a.position_based_cents) = e.revenue_cents)
     LIMIT 1
  $check$, TG_RELID::regclass, skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_events')) INTO drift;
  GET DIAGNOSTICS drifting = ROW_COUNT;
  IF nestloop IS NOT NULL THEN
    PERFORM set_config('enable_nestloop', nestloop, true);
  END IF;
  IF drifting > 0 THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), % (position based), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.position_based,
      drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$_$;

ALTER FUNCTION skeldir.check_credit_sums() OWNER TO skeldir_owner;

--
-- Name: check_password(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.check_password(password text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
  IF coalesce(password, '') = '' THEN
    RAISE EXCEPTION 'password is required'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
  IF char_length(password) < 8 THEN
    RAISE EXCEPTION 'password must have at least 8 characters'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
  IF octet_length(convert_to(password, 'UTF8')) > 72 THEN
    RAISE EXCEPTION 'password must be at most 72 bytes long (bcrypt reads no further)'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
END
$$;

ALTER FUNCTION skeldir.check_password(password text) OWNER TO skeldir_owner;

--
-- Name: check_retention_rule(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.check_retention_rule() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
DECLARE
  status_type text;
BEGIN
  IF NEW.table_name = 'skeldir.tenants'::regclass
     OR NEW.table_name NOT IN (SELECT t FROM skeldir.tenant_tables() AS t) THEN
    RAISE EXCEPTION 'retention rule %: % is not a tenant table', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = NEW.table_name) <> 'r' THEN
    RAISE EXCEPTION 'retention rule %: % is partitioned; rule its partitions instead', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger AS g
              WHERE g.tgrelid = NEW.table_name AND g.tgfoid = 'skeldir.forbid_change()'::regprocedure) THEN
    RAISE EXCEPTION 'retention rule %: % is append-only (the books) and is never pruned', NEW.name, NEW.table_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                  WHERE a.attrelid = NEW.table_name AND a.attname = NEW.age_column AND a.attnum > 0
                    AND NOT a.attisdropped
                    AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)) THEN
    RAISE EXCEPTION 'retention rule %: % has no timestamp or date column %', NEW.name, NEW.table_name, NEW.age_column
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NEW.status_column IS NOT NULL THEN
    SELECT pg_catalog.format_type(a.atttypid, NULL) INTO status_type
      FROM pg_catalog.pg_attribute AS a
     WHERE a.attrelid = NEW.table_name AND a.attname = NEW.status_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF status_type IS NULL THEN
      RAISE EXCEPTION 'retention rule %: % has no column %', NEW.name, NEW.table_name, NEW.status_column
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A misspelt status would silently match nothing: each must be a value
    -- of the column's type.
    BEGIN
      EXECUTE pg_catalog.format('SELECT $1::%s[]', status_type) USING NEW.statuses::text;
    EXCEPTION WHEN data_exception THEN
      RAISE EXCEPTION 'retention rule %: % are not all values of %.%', NEW.name, NEW.statuses, NEW.table_name, NEW.status_column
        USING ERRCODE = 'invalid_parameter_value';
    END;
  END IF;
  RETURN NEW;
END
$_$;

ALTER FUNCTION skeldir.check_retention_rule() OWNER TO skeldir_owner;

--
-- Name: classify_channel(text, text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.classify_channel(utm_source text, utm_medium text, referrer text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
  RETURN coalesce(
    (SELECT r.channel_code FROM skeldir.channel_rules AS r
      WHERE (r.utm_source_pattern IS NULL OR utm_source ~* r.utm_source_pattern)
        AND (r.utm_medium_pattern IS NULL OR utm_medium ~* r.utm_medium_pattern)
        AND (r.referrer_pattern IS NULL OR referrer ~* r.referrer_pattern)
      ORDER BY r.priority
      LIMIT 1),
    CASE WHEN coalesce(utm_source, utm_medium, referrer) IS NULL THEN 'direct' ELSE 'unknown' END);
END
$$;

ALTER FUNCTION skeldir.classify_channel(utm_source text, utm_medium text, referrer text) OWNER TO skeldir_owner;

--
-- Name: clean_url(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.clean_url(url text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
DECLARE
  page text := split_part(url, '#', 1);
  kept text;
BEGIN
  IF strpos(page, '?') = 0 THEN
    kept := page;
  ELSE
    kept := split_part(page, '?', 1)
      || coalesce('?' || (SELECT string_agg(q.param, '&' ORDER BY q.n)
                            FROM regexp_split_to_table(substring(page FROM '\?(.*)$'), '&') WITH ORDINALITY AS q(param, n)
                           WHERE lower(split_part(q.param, '=', 1))
                                 ~ '^(utm_[a-z_]+|gclid|gbraid|wbraid|fbclid|msclkid|ttclid|twclid|gad_source)$'), '');
  END IF;
  RETURN skeldir.redact_pii(kept);
END
$_$;

ALTER FUNCTION skeldir.clean_url(url text) OWNER TO skeldir_owner;

--
-- Name: colocated_relation(regclass, regclass); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.colocated_relation(fired regclass, logical regclass) RETURNS regclass
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  shard regclass;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN logical;
  END IF;
  -- fired is a shard when Citus knows a shard of that number whose table's
  -- name, with the number, is fired's; the co-located shard of logical is
  -- the one that covers the same hash range.
  SELECT format('%I.%I', n.nspname, c.relname || '_' || t.shardid)::regclass INTO shard
    FROM pg_dist_shard AS f
    JOIN pg_class AS fc ON fc.oid = f.logicalrelid
    JOIN pg_dist_shard AS t ON t.logicalrelid = logical AND t.shardminvalue = f.shardminvalue
    JOIN pg_class AS c ON c.oid = t.logicalrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
   WHERE f.shardid = substring((SELECT r.relname FROM pg_class AS r WHERE r.oid = fired) FROM '_([0-9]+)$')::bigint
     AND fc.relname || '_' || f.shardid = (SELECT r.relname FROM pg_class AS r WHERE r.oid = fired);
  RETURN coalesce(shard, logical);
END
$_$;

ALTER FUNCTION skeldir.colocated_relation(fired regclass, logical regclass) OWNER TO skeldir_owner;

--
-- Name: FUNCTION colocated_relation(fired regclass, logical regclass); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.colocated_relation(fired regclass, logical regclass) IS 'The relation holding logical''s rows next to fired''s: logical itself, or on a Citus worker, where a trigger fired on a shard, logical''s shard co-located with it.';

--
-- Name: contains_pii(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.contains_pii(doc jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
BEGIN
  RETURN EXISTS (SELECT 1 FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k
                  WHERE lower(k #>> '{}') = ANY (skeldir.pii_keys()));
END
$_$;

ALTER FUNCTION skeldir.contains_pii(doc jsonb) OWNER TO skeldir_owner;

--
-- Name: copy_function_grants_to_workers(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.copy_function_grants_to_workers() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  f record;
  grantee text;
  copied integer := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN 0;
  END IF;
  FOR f IN
    SELECT p.oid::regprocedure AS routine, p.proacl, p.proowner
      FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.proacl IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_dist_object AS o WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid)
       -- (not those this transaction created or replaced: Citus carried
       -- their statements as they ran, and a GRANT on them now deadlocks
       -- with that connection)
       AND age(p.xmin) > 0
     ORDER BY p.oid
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.routine);
    FOR grantee IN
      SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM aclexplode(f.proacl) AS a LEFT JOIN pg_roles AS r ON r.oid = a.grantee
       WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> f.proowner
    LOOP
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', f.routine, grantee);
    END LOOP;
    copied := copied + 1;
  END LOOP;
  RETURN copied;
END
$$;

ALTER FUNCTION skeldir.copy_function_grants_to_workers() OWNER TO skeldir_owner;

--
-- Name: FUNCTION copy_function_grants_to_workers(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.copy_function_grants_to_workers() IS 'On Citus, gives every function of the five schemas that Citus holds its coordinator privileges again, which Citus carries to the workers; returns how many. Nothing without the extension.';

--
-- Name: count_matview_refresh(text, text, double precision); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.count_matview_refresh(view_name text, outcome text, seconds double precision) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
 INSERT INTO skeldir.matview_refresh_stats AS s (view_name, outcome, refreshes, seconds, last_at)
   VALUES (count_matview_refresh.view_name, count_matview_refresh.outcome, 1, count_matview_refresh.seconds, now()) ON CONFLICT(view_name, outcome) DO UPDATE SET refreshes = (s.refreshes + 1), seconds = (s.seconds + excluded.seconds), last_at = excluded.last_at;
END;

ALTER FUNCTION skeldir.count_matview_refresh(view_name text, outcome text, seconds double precision) OWNER TO skeldir_owner;

--
-- Name: count_failed_matview_refresh(skeldir.jobs, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.count_failed_matview_refresh(job skeldir.jobs, outcome text) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
 SELECT skeldir.count_matview_refresh(m.name, 'failed'::text, (EXTRACT(epoch FROM (clock_timestamp() - (count_failed_matview_refresh.job).started_at)))::double precision) AS count_matview_refresh
    FROM skeldir.matviews m
   WHERE (m.name = ((count_failed_matview_refresh.job).args ->> 'view'::text));
END;

ALTER FUNCTION skeldir.count_failed_matview_refresh(job skeldir.jobs, outcome text) OWNER TO skeldir_owner;

--
-- Name: crc32(bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.crc32(data bytea) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  t bigint[] := skeldir.crc32_table();
  crc bigint := 4294967295;
  i integer;
BEGIN
  FOR i IN 0 .. length(data) - 1 LOOP
    crc := (crc >> 8) # t[((crc # get_byte(data, i)) & 255) + 1];
  END LOOP;
  RETURN crc # 4294967295;
END
$$;

ALTER FUNCTION skeldir.crc32(data bytea) OWNER TO skeldir_owner;

--
-- Name: crc32_table(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.crc32_table() RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
 WITH RECURSIVE step(n, c, k) AS (
          SELECT n.n,
             (n.n)::bigint AS n,
             0 AS "?column?"
            FROM generate_series(0, 255) n(n)
         UNION ALL
          SELECT step_1.n,
                 CASE
                     WHEN ((step_1.c & (1)::bigint) = 1) THEN ((step_1.c >> 1) # '3988292384'::bigint)
                     ELSE (step_1.c >> 1)
                 END AS "case",
             (step_1.k + 1)
            FROM step step_1
           WHERE (step_1.k < 8)
         )
  SELECT array_agg(step.c ORDER BY step.n) AS array_agg
    FROM step
   WHERE (step.k = 8);
END;

ALTER FUNCTION skeldir.crc32_table() OWNER TO skeldir_owner;

--
-- Name: credit_sums_hold(timestamp with time zone, timestamp with time zone, uuid[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  nestloop text := current_setting('enable_nestloop');
  drift record;
BEGIN
  -- A whole window is read once and hashed (the credits' statistics may be
  -- those of the table before the write, which make lookups look cheap).
  IF purchases IS NULL THEN
    PERFORM set_config('enable_nestloop', 'off', true);
  END IF;
  SELECT a.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch,
         sum(a.first_touch_cents) AS first_touch, sum(a.linear_cents) AS linear,
         sum(a.time_decay_cents) AS time_decay, sum(a.position_based_cents) AS position_based
    INTO drift
    FROM skeldir.attribution_credits AS a
    JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
   WHERE a.tenant_id = tenant AND a.occurred_at >= window_start AND a.occurred_at < window_end
     AND (purchases IS NULL OR a.event_id = ANY (purchases))
   GROUP BY a.event_id, e.revenue_cents
  HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
              AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
              AND sum(a.position_based_cents) = e.revenue_cents)
   LIMIT 1;
  PERFORM set_config('enable_nestloop', nestloop, true);
  IF drift.event_id IS NOT NULL THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), % (position based), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.position_based,
      drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
END
$$;

ALTER FUNCTION skeldir.credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]) OWNER TO skeldir_owner;

--
-- Name: FUNCTION credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]) IS 'Raises check_violation when a purchase of the tenant in context, dated in the window (or among purchases), has credits that do not sum exactly to its revenue under every model.';

--
-- Name: current_tenant_id(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN length(current_setting('app.current_tenant_id', true)) = 36
              THEN current_setting('app.current_tenant_id', true)::uuid END
$$;

ALTER FUNCTION skeldir.current_tenant_id() OWNER TO skeldir_owner;

--
-- Name: FUNCTION current_tenant_id(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.current_tenant_id() IS 'Tenant of the current transaction from app.current_tenant_id; NULL when unset, empty or not 36 characters long.';

--
-- Name: daily_revenue_for(uuid, date, date); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.daily_revenue_for(tenant uuid, from_day date, to_day date) RETURNS TABLE(day date, currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint, net_cents bigint, captures bigint, refunds bigint, chargebacks bigint)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT d.day, d.currency, d.captured_cents, d.refunded_cents, d.chargeback_cents, d.net_cents, d.captures,
         d.refunds, d.chargebacks
    FROM analytics.mv_daily_revenue_summary AS d
   WHERE skeldir.valid_day_range(daily_revenue_for.from_day, daily_revenue_for.to_day)
     AND d.tenant_id = daily_revenue_for.tenant
     AND d.day >= daily_revenue_for.from_day AND d.day <= daily_revenue_for.to_day
   ORDER BY d.day, d.currency
$$;

ALTER FUNCTION skeldir.daily_revenue_for(tenant uuid, from_day date, to_day date) OWNER TO skeldir_owner;

--
-- Name: dead_letter_reason(text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.dead_letter_reason(error_type text, error_message text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE error_type WHEN 'malformed_json'::text THEN 'the body is not a JSON document we can read'::text WHEN 'invalid_payload'::text THEN 'a value in the body has the wrong type or is out of range'::text ELSE error_message END;

ALTER FUNCTION skeldir.dead_letter_reason(error_type text, error_message text) OWNER TO skeldir_owner;

--
-- Name: der_element(bytea, integer, integer); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.der_element(der bytea, at integer, tag integer, OUT content_at integer, OUT content_length integer) RETURNS record
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  first integer;
  k integer;
BEGIN
  IF at + 2 > length(der) OR get_byte(der, at) <> tag THEN
    RETURN;
  END IF;
  first := get_byte(der, at + 1);
  IF first < 128 THEN
    content_at := at + 2;
    content_length := first;
  ELSIF first BETWEEN 129 AND 131 AND at + 2 + first - 128 <= length(der) THEN
    content_length := 0;
    FOR k IN 1 .. first - 128 LOOP
      content_length := content_length * 256 + get_byte(der, at + 1 + k);
    END LOOP;
    content_at := at + 2 + first - 128;
  END IF;
  IF content_at + content_length > length(der) THEN
    content_at := NULL;
    content_length := NULL;
  END IF;
END
$$;

ALTER FUNCTION skeldir.der_element(der bytea, at integer, tag integer, OUT content_at integer, OUT content_length integer) OWNER TO skeldir_owner;

--
-- Name: distribute_on_citus(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.distribute_on_citus() RETURNS TABLE(relation regclass, placement text)
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant_keyed CONSTANT regclass[] := ARRAY['skeldir.tenants', 'skeldir.tenant_api_keys',
                                            'skeldir.tenant_webhook_tokens']::regclass[];
  key record;
  t regclass;
  anchor regclass;
  dropped text[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN;
  END IF;
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  PERFORM set_config('client_min_messages', 'warning', true);

  -- What Citus will hold: the tenant tables (skeldir.tenants and every table
  -- of schema skeldir with tenant_id), and the tables their foreign keys
  -- reach, whatever reaches them.
  CREATE TEMP TABLE pg_temp.held ON COMMIT DROP AS
    WITH RECURSIVE tenant AS (
      SELECT c.oid FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname = 'skeldir' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND (c.oid = 'skeldir.tenants'::regclass
              OR EXISTS (SELECT 1 FROM pg_attribute AS a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))),
    lookup AS (
      SELECT k.confrelid AS oid FROM pg_constraint AS k
       WHERE k.contype = 'f' AND k.conrelid IN (SELECT oid FROM tenant) AND k.confrelid NOT IN (SELECT oid FROM tenant)
      UNION
      SELECT k.confrelid FROM pg_constraint AS k JOIN lookup AS l ON k.conrelid = l.oid
       WHERE k.contype = 'f' AND k.confrelid NOT IN (SELECT oid FROM tenant))
    SELECT h.oid::regclass AS relation,
           CASE WHEN h.oid IN (SELECT oid FROM lookup) OR h.oid = ANY (tenant_keyed) THEN 'reference'
                ELSE 'distributed' END AS placement
      FROM (SELECT oid FROM tenant UNION SELECT oid FROM lookup) AS h
     WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = h.oid);

  -- The foreign keys that touch a table to distribute, among held tables.
  FOR key IN
    SELECT k.conrelid::regclass AS tbl, k.conname, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint AS k
     WHERE k.contype = 'f'
       AND (k.conrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR k.confrelid IN (SELECT h.relation FROM pg_temp.held AS h))
       AND (k.conrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = k.conrelid))
       AND (k.confrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = k.confrelid))
     ORDER BY k.oid
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', key.tbl, key.conname);
    dropped := dropped || format('ALTER TABLE %s ADD CONSTRAINT %I %s', key.tbl, key.conname, key.def);
  END LOOP;

  FOR t IN SELECT h.relation FROM pg_temp.held AS h WHERE h.placement = 'reference' ORDER BY h.relation::oid LOOP
    PERFORM create_reference_table(t);
  END LOOP;
  -- Co-located with the tenant tables Citus already holds, else with the
  -- first one distributed here.
  anchor := (SELECT d.logicalrelid FROM pg_dist_partition AS d
              JOIN pg_namespace AS n ON n.oid = (SELECT c.relnamespace FROM pg_class AS c WHERE c.oid = d.logicalrelid)
             WHERE n.nspname = 'skeldir' AND d.partmethod = 'h'
             ORDER BY d.logicalrelid::oid LIMIT 1);
  FOR t IN SELECT h.relation FROM pg_temp.held AS h WHERE h.placement = 'distributed' ORDER BY h.relation::oid LOOP
    IF anchor IS NULL THEN
      PERFORM create_distributed_table(t, 'tenant_id');
      anchor := t;
    ELSE
      PERFORM create_distributed_table(t, 'tenant_id', colocate_with => anchor::text);
    END IF;
  END LOOP;
  FOREACH key.def IN ARRAY dropped LOOP
    EXECUTE key.def;
  END LOOP;
  PERFORM skeldir.copy_function_grants_to_workers();

  RETURN QUERY SELECT h.relation, h.placement FROM pg_temp.held AS h ORDER BY h.relation::oid;
END
$$;

ALTER FUNCTION skeldir.distribute_on_citus() OWNER TO skeldir_owner;

--
-- Name: FUNCTION distribute_on_citus(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.distribute_on_citus() IS 'On Citus, distributes what it does not hold yet: tenant tables by tenant_id (co-located), tenants, their keys and webhook tokens and the lookups as reference tables; returns each table it placed. Nothing without the extension.';

--
-- Name: end_sessions(uuid, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.end_sessions(user_id uuid, reason text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  revoked integer;
BEGIN
  UPDATE skeldir.refresh_tokens AS t SET revoked_at = at, revoke_reason = end_sessions.reason
   WHERE t.tenant_id = tenant AND t.user_id = end_sessions.user_id AND t.revoked_at IS NULL AND t.rotated_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  RETURN revoked;
END
$$;

ALTER FUNCTION skeldir.end_sessions(user_id uuid, reason text) OWNER TO skeldir_owner;

--
-- Name: enter_tenant(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.enter_tenant(tenant_id uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM skeldir.set_tenant_context(coalesce(tenant_id::text, ''), true);
  IF NOT EXISTS (SELECT 1 FROM skeldir.tenants AS t WHERE t.id = enter_tenant.tenant_id) THEN
    RAISE EXCEPTION 'tenant % does not exist', tenant_id
      USING ERRCODE = 'no_data_found', HINT = 'List tenants with psql as skeldir_readonly, or create one with skeldird tenant create.';
  END IF;
END
$$;

ALTER FUNCTION skeldir.enter_tenant(tenant_id uuid) OWNER TO skeldir_owner;

--
-- Name: explain(text, text, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.explain(entity_type text, entity_id text, options jsonb DEFAULT '{}'::jsonb, request_id uuid DEFAULT NULL::uuid) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  facts jsonb;
  prompt jsonb;
  key text;
  cached jsonb;
  call jsonb;
  content jsonb;
  ttl interval;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an explanation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  facts := skeldir.llm_explanation_facts(entity_type, entity_id, options);
  prompt := jsonb_build_object('feature', 'explanation',
                               'instructions', 'Explain the entity''s value in 100 to 500 characters, citing only these facts.',
                               'facts', facts);
  key := encode(sha256(convert_to(skeldir.llm_tenant_model() || ':' || prompt::text, 'UTF8')), 'hex');

  SELECT c.content INTO cached FROM skeldir.explanation_cache AS c
   WHERE c.tenant_id = tenant AND c.cache_key = key AND c.expires_at > now();
  IF FOUND THEN
    RETURN cached || jsonb_build_object('entity_id', entity_id, 'cached', true);
  END IF;

  call := skeldir.llm_call('explanation', coalesce(request_id, gen_random_uuid()), prompt);
  IF call ->> 'decision' = 'block' THEN
    RETURN jsonb_build_object('decision', call -> 'decision', 'reason', call -> 'reason',
                              'request_id', call -> 'request_id', 'cached', false);
  END IF;
  content := jsonb_build_object(
    'entity_type', entity_type, 'entity_id', entity_id,
    'explanation', call #> '{response,text}', 'citations', facts -> 'citations', 'confidence', facts -> 'confidence',
    'generated_at', call -> 'created_at', 'cost_usd', call -> 'cost_usd', 'model', call -> 'model',
    'decision', call -> 'decision', 'request_id', call -> 'request_id');
  ttl := (SELECT s.explanation_ttl FROM skeldir.llm_settings AS s);
  INSERT INTO skeldir.explanation_cache AS c (tenant_id, cache_key, entity_type, entity_id, content, request_id, expires_at)
  VALUES (tenant, key, entity_type, entity_id, content, (call ->> 'request_id')::uuid,
          now() + ttl)
  ON CONFLICT (tenant_id, cache_key) DO UPDATE
     SET content = excluded.content, request_id = excluded.request_id, created_at = excluded.created_at,
         expires_at = excluded.expires_at;
  RETURN content || jsonb_build_object('cached', false);
END
$$;

ALTER FUNCTION skeldir.explain(entity_type text, entity_id text, options jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: forget_attribution_marks(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.forget_attribution_marks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  -- Every tenant's: a TRUNCATE empties the table for all of them (on a
  -- Citus worker, the shard's tenants: each shard fires its own). The
  -- policy would hide other tenants' marks from a DELETE, so the table is
  -- emptied the same way.
  EXECUTE format('TRUNCATE %s', skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_marks'));
  RETURN NULL;
END
$$;

ALTER FUNCTION skeldir.forget_attribution_marks() OWNER TO skeldir_owner;

--
-- Name: forget_attribution_recomputes(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.forget_attribution_recomputes() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
DECLARE
  context uuid := skeldir.current_tenant_id();
  tenants uuid[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed) THEN
    RETURN NULL;
  END IF;
  -- Mostly one tenant's rows: the one in context (no sort of the rows).
  IF NOT EXISTS (SELECT 1 FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM context) THEN
    tenants := ARRAY[context];
  ELSE
    tenants := ARRAY(SELECT DISTINCT c.tenant_id FROM changed AS c);
  END IF;
  IF TG_RELID = 'skeldir.attribution_credits'::regclass THEN
    PERFORM skeldir.take_turns(VARIADIC ARRAY(SELECT 'recompute_attribution/' || t FROM unnest(tenants) AS t ORDER BY t));
  END IF;
  EXECUTE format('DELETE FROM %s AS r WHERE r.tenant_id = ANY ($1)',
                 skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_recomputes')) USING tenants;
  IF tenants IS DISTINCT FROM ARRAY[context]
     OR coalesce(current_setting('skeldir.attribution_writer', true), '') IS DISTINCT FROM context::text THEN
    EXECUTE format('DELETE FROM %s AS m WHERE m.tenant_id = ANY ($1)',
                   skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_marks')) USING tenants;
  END IF;
  RETURN NULL;
END
$_$;

ALTER FUNCTION skeldir.forget_attribution_recomputes() OWNER TO skeldir_owner;

--
-- Name: from_base64url(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.from_base64url(segment text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN ((segment ~ '^[A-Za-z0-9_-]*$'::text) AND ((length(segment) % 4) <> 1)) THEN decode((translate(segment, '-_'::text, '+/'::text) || repeat('='::text, ((4 - (length(segment) % 4)) % 4))), 'base64'::text) ELSE NULL::bytea END;

ALTER FUNCTION skeldir.from_base64url(segment text) OWNER TO skeldir_owner;

--
-- Name: header_delivery_key(skeldir.vendor, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.header_delivery_key(vendor skeldir.vendor, headers jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(CASE vendor WHEN 'shopify'::skeldir.vendor THEN ('shopify:'::text || NULLIF(btrim((headers ->> 'x-shopify-webhook-id'::text)), ''::text)) WHEN 'woocommerce'::skeldir.vendor THEN ('woocommerce:'::text || NULLIF(btrim((headers ->> 'x-wc-webhook-delivery-id'::text)), ''::text)) ELSE NULL::text END, NULLIF(btrim((headers ->> 'x-idempotency-key'::text)), ''::text));

ALTER FUNCTION skeldir.header_delivery_key(vendor skeldir.vendor, headers jsonb) OWNER TO skeldir_owner;

--
-- Name: in_major_units(numeric, integer); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.in_major_units(minor numeric, exponent integer) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT round(minor / power(10::numeric, exponent), exponent) $$;

ALTER FUNCTION skeldir.in_major_units(minor numeric, exponent integer) OWNER TO skeldir_owner;

--
-- Name: FUNCTION in_major_units(minor numeric, exponent integer); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.in_major_units(minor numeric, exponent integer) IS 'minor units as major units, rounded to the currency''s exponent (NULL when the exponent is).';

--
-- Name: install_webhook_secret(skeldir.vendor, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text DEFAULT NULL::text) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  chosen text := coalesce(secret, 'whsec_' || encode(extensions.gen_random_bytes(32), 'hex'));
  tenant uuid := skeldir.current_tenant_id();
  active uuid[];
  slot_one_taken boolean;
BEGIN
  -- Rotations of one tenant and vendor take turns.
  PERFORM skeldir.take_turns('webhook_secret/' || tenant || '/' || vendor);

  -- The active secrets, oldest first: with two, the oldest is revoked.
  active := ARRAY(SELECT o.id FROM skeldir.tenant_webhook_secrets AS o
                   WHERE o.tenant_id = tenant AND o.vendor = install_webhook_secret.vendor AND o.revoked_at IS NULL
                   ORDER BY o.created_at, o.slot);
  IF cardinality(active) = 2 THEN
    UPDATE skeldir.tenant_webhook_secrets AS s
       SET revoked_at = now()
     WHERE s.tenant_id = tenant AND s.id = active[1];
  END IF;

  slot_one_taken := EXISTS (SELECT 1 FROM skeldir.tenant_webhook_secrets AS a
                             WHERE a.tenant_id = tenant AND a.vendor = install_webhook_secret.vendor
                               AND a.revoked_at IS NULL AND a.slot = 1);
  INSERT INTO skeldir.tenant_webhook_secrets (tenant_id, vendor, secret, slot)
  VALUES (tenant, install_webhook_secret.vendor, chosen, CASE WHEN slot_one_taken THEN 2 ELSE 1 END);
  RETURN chosen;
END
$$;

ALTER FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text) OWNER TO skeldir_owner;

--
-- Name: investigation_status(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.investigation_status(investigation_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  i skeldir.investigations;
  s record;
BEGIN
  SELECT * INTO i FROM skeldir.investigations AS x WHERE x.tenant_id = tenant AND x.id = investigation_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  s := skeldir.llm_job_standing(i.status, i.error, i.job_id, i.tenant_id);
  RETURN skeldir.jsonb_without_null_keys(jsonb_build_object(
           'investigation_id', i.id,
           'status', s.status,
           'progress_percentage', s.progress_percentage,
           'current_step', CASE s.status WHEN 'queued' THEN 'Waiting for a worker' WHEN 'running' THEN 'Analyzing revenue and attribution'
                                         WHEN 'complete' THEN 'Synthesized findings' ELSE 'Failed' END,
           'elapsed_seconds', floor(extract(epoch FROM coalesce(i.finished_at, now()) - i.created_at))::integer,
           'question', i.question,
           'findings', i.result -> 'findings',
           'synthesis', i.result -> 'synthesis',
           'cost_usd', i.result #> '{llm,cost_usd}',
           'error', s.error));
END
$$;

ALTER FUNCTION skeldir.investigation_status(investigation_id uuid) OWNER TO skeldir_owner;

--
-- Name: is_woocommerce_ping(skeldir.vendor, bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.is_woocommerce_ping(vendor skeldir.vendor, body bytea) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((vendor = 'woocommerce'::skeldir.vendor) AND (length(body) <= 40) AND (encode(body, 'escape'::text) ~ '^webhook_id=[0-9]+$'::text));

ALTER FUNCTION skeldir.is_woocommerce_ping(vendor skeldir.vendor, body bytea) OWNER TO skeldir_owner;

--
-- Name: isolate_by_tenant(regclass, name); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.isolate_by_tenant(tbl regclass, key_column name DEFAULT 'tenant_id'::name) RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (%2$I = skeldir.current_tenant_id())'
                 ' WITH CHECK (%2$I = skeldir.current_tenant_id())', tbl, key_column);
  EXECUTE format('CREATE POLICY analyst_binding ON %s AS RESTRICTIVE FOR SELECT TO skeldir_readonly'
                 ' USING (%I = skeldir.analyst_tenant())', tbl, key_column);
END
$_$;

ALTER FUNCTION skeldir.isolate_by_tenant(tbl regclass, key_column name) OWNER TO skeldir_owner;

--
-- Name: issue_access_token(uuid, uuid, uuid, interval); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.issue_access_token(tenant_id uuid, user_id uuid, session_id uuid, ttl interval) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
  signer skeldir.token_keys;
  issued bigint := floor(extract(epoch FROM now()));
  expires bigint;
  unsigned text;
BEGIN
  IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '1 day' THEN
    RAISE EXCEPTION 'an access token lives between a second and a day, not %', ttl
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'access_ttl';
  END IF;
  signer := skeldir.signing_token_key();
  IF signer.kid IS NULL THEN
    RAISE EXCEPTION 'no token key is active; rotate one in (skeldird token-key rotate)'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  expires := issued + floor(extract(epoch FROM ttl));
  unsigned := skeldir.token_header(signer.kid) || '.' || skeldir.to_base64url(convert_to(
    jsonb_build_object('sub', user_id, 'tid', tenant_id, 'sid', session_id, 'iat', issued, 'exp', expires)::text,
    'UTF8'));
  RETURN jsonb_build_object(
    'access_token', unsigned || '.' || skeldir.to_base64url(
      extensions.hmac(convert_to(unsigned, 'UTF8'), signer.secret, 'sha256')),
    'expires_in', expires - issued,
    'expires_at', to_timestamp(expires));
END
$$;

ALTER FUNCTION skeldir.issue_access_token(tenant_id uuid, user_id uuid, session_id uuid, ttl interval) OWNER TO skeldir_owner;

--
-- Name: issue_api_key(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.issue_api_key() RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  new_key text := 'skd_' || encode(extensions.gen_random_bytes(24), 'hex');
BEGIN
  INSERT INTO skeldir.tenant_api_keys (tenant_id, key_hash, prefix)
  VALUES (skeldir.current_tenant_id(), sha256(convert_to(new_key, 'UTF8')), left(new_key, 12));
  RETURN new_key;
END
$$;

ALTER FUNCTION skeldir.issue_api_key() OWNER TO skeldir_owner;

--
-- Name: issue_refresh_token(uuid, uuid, interval); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.issue_refresh_token(user_id uuid, family_id uuid, ttl interval) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
  token text := 'skr_' || encode(extensions.gen_random_bytes(32), 'hex');
  expires timestamptz := now() + ttl;
BEGIN
  IF ttl IS NULL OR ttl <= interval '0' THEN
    RAISE EXCEPTION 'refresh token lifetime must be positive, not %', ttl
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'refresh_ttl';
  END IF;
  INSERT INTO skeldir.refresh_tokens (tenant_id, family_id, user_id, token_hash, expires_at)
  VALUES (skeldir.current_tenant_id(), family_id, user_id, skeldir.refresh_token_digest(token), expires);
  RETURN jsonb_build_object('refresh_token', token, 'refresh_expires_at', expires);
END
$$;

ALTER FUNCTION skeldir.issue_refresh_token(user_id uuid, family_id uuid, ttl interval) OWNER TO skeldir_owner;

--
-- Name: issue_webhook_token(skeldir.vendor); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.issue_webhook_token(vendor skeldir.vendor) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
DECLARE
  token_id uuid := gen_random_uuid();
  token text := skeldir.webhook_token(token_id);
BEGIN
  INSERT INTO skeldir.tenant_webhook_tokens (tenant_id, id, vendor, token_hash, prefix)
  VALUES (skeldir.current_tenant_id(), token_id, vendor, sha256(convert_to(token, 'UTF8')), left(token, 12));
  RETURN token_id;
END
$$;

ALTER FUNCTION skeldir.issue_webhook_token(vendor skeldir.vendor) OWNER TO skeldir_owner;

--
-- Name: jsonb_without_null_keys(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.jsonb_without_null_keys(o jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    RETURN (SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}'::jsonb) AS "coalesce" FROM jsonb_each(jsonb_without_null_keys.o) e(key, value) WHERE (e.value <> 'null'::jsonb));

ALTER FUNCTION skeldir.jsonb_without_null_keys(o jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_add_to_month(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_add_to_month() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
BEGIN
  EXECUTE format($add$
    INSERT INTO %s AS m
      (tenant_id, month, calls, blocked_calls, fallback_calls, prompt_tokens, completion_tokens, cost_micros)
    VALUES ($1, $2, 1, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant_id, month) DO UPDATE
       SET calls = m.calls + 1,
           blocked_calls = m.blocked_calls + excluded.blocked_calls,
           fallback_calls = m.fallback_calls + excluded.fallback_calls,
           prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
           completion_tokens = m.completion_tokens + excluded.completion_tokens,
           cost_micros = m.cost_micros + excluded.cost_micros,
           updated_at = excluded.updated_at
  $add$, skeldir.colocated_relation(TG_RELID, 'skeldir.llm_monthly_costs'))
  USING NEW.tenant_id, NEW.month, (NEW.decision = 'block')::int, (NEW.decision = 'fallback')::int,
        NEW.prompt_tokens, NEW.completion_tokens, NEW.cost_micros;
  RETURN NULL;
END
$_$;

ALTER FUNCTION skeldir.llm_add_to_month() OWNER TO skeldir_owner;

--
-- Name: llm_attribution_score_facts(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_attribution_score_facts(event_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  e skeldir.attribution_events;
  models jsonb;
BEGIN
  SELECT * INTO e FROM skeldir.attribution_events AS x
   WHERE x.tenant_id = tenant_in_context AND x.id = event_id AND x.event_type = 'purchase';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no purchase %', event_id USING ERRCODE = 'no_data_found';
  END IF;
  SELECT coalesce(jsonb_object_agg(m.model, m.shares), '{}') INTO models
    FROM (SELECT a.model::text AS model,
                 jsonb_agg(jsonb_build_object('channel', a.channel, 'amount', round(a.allocated_cents / power(10::numeric, cur.exponent), cur.exponent),
                                              'ratio_pct', round(a.ratio * 100, 1))
                           ORDER BY a.allocated_cents DESC, a.channel) AS shares
            FROM skeldir.attribution_allocations AS a
            LEFT JOIN skeldir.currencies AS cur ON cur.code = a.currency
           WHERE a.tenant_id = e.tenant_id AND a.event_id = e.id
           GROUP BY a.model) AS m;
  RETURN jsonb_build_object(
    'entity_type', 'attribution_score',
    'event_id', e.id,
    'channel', e.channel,
    'currency', e.currency,
    'revenue', skeldir.major_units(e.revenue_cents, e.currency),
    'occurred_on', (e.occurred_at AT TIME ZONE 'UTC')::date,
    'models', models,
    'confidence', CASE WHEN models = '{}' THEN 'low' ELSE 'high' END,
    'citations', jsonb_build_array(jsonb_build_object('metric', 'purchase_revenue',
                                                      'value', skeldir.major_units(e.revenue_cents, e.currency),
                                                      'unit', e.currency, 'source', 'attribution_events.revenue_cents'))
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', m.key || '_' || (s ->> 'channel') || '_allocated',
                                                                  'value', s -> 'amount', 'unit', e.currency,
                                                                  'source', 'attribution_allocations.allocated_cents')
                                               ORDER BY m.key, o), '[]')
                       FROM jsonb_each(models) AS m, jsonb_array_elements(m.value) WITH ORDINALITY AS x(s, o))
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', m.key || '_' || (s ->> 'channel') || '_share_pct',
                                                                  'value', s -> 'ratio_pct', 'unit', '%',
                                                                  'source', 'attribution_allocations.ratio')
                                               ORDER BY m.key, o), '[]')
                       FROM jsonb_each(models) AS m, jsonb_array_elements(m.value) WITH ORDINALITY AS x(s, o)));
END
$$;

ALTER FUNCTION skeldir.llm_attribution_score_facts(event_id uuid) OWNER TO skeldir_owner;

--
-- Name: llm_budget_facts(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_budget_facts(inputs jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  scope jsonb := inputs -> 'scope';
  cur text := scope ->> 'currency';
  cur_exponent integer := (SELECT c.exponent FROM skeldir.currencies AS c WHERE c.code = cur);
  tenant_in_context uuid := skeldir.current_tenant_id();
  unit numeric := power(10::numeric, (SELECT x.exponent FROM skeldir.currencies AS x WHERE x.code = cur));
  total bigint := round((inputs ->> 'total_budget')::numeric * unit);
  ch text[];
  w numeric[];
  lo bigint[];
  hi bigint[];
  alloc bigint[];
  active boolean[];
  remaining bigint;
  pool bigint;
  sum_w numeric;
  capped boolean;
  given bigint;
  i integer;
  revenue_total numeric;
  spend jsonb;
  spend_known boolean;
BEGIN
  -- Candidates: paid channels with attributed revenue in the window, and
  -- channels given a minimum; weight = attributed revenue (minor units).
  SELECT array_agg(x.channel ORDER BY x.channel), array_agg(x.cents ORDER BY x.channel),
         array_agg(round(coalesce((inputs #>> ARRAY['channel_minimums', x.channel])::numeric, 0) * unit)::bigint ORDER BY x.channel),
         array_agg(least(total, round(coalesce((inputs #>> ARRAY['channel_maximums', x.channel])::numeric * unit, total))::bigint)
                   ORDER BY x.channel)
    INTO ch, w, lo, hi
    FROM (SELECT t.code AS channel, coalesce(r.cents, 0) AS cents
            FROM skeldir.channel_taxonomy AS t
            LEFT JOIN (SELECT a.channel, sum(a.allocated_cents) AS cents
                         FROM skeldir.attribution_allocations AS a
                        WHERE a.tenant_id = tenant_in_context
                          AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
                          AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
                        GROUP BY a.channel) AS r ON r.channel = t.code
           WHERE t.is_paid AND (r.cents > 0 OR inputs -> 'channel_minimums' ? t.code)) AS x;
  ch := coalesce(ch, '{}');
  -- Each channel's ad spend in the 30 days up to the window's end, and in
  -- the window (for ROAS), in the currency.
  SELECT coalesce(jsonb_object_agg(s.channel, jsonb_build_object('last_30_days', s.recent, 'window', s.in_window))
                    FILTER (WHERE coalesce(s.recent, s.in_window) IS NOT NULL), '{}')
    INTO spend
    FROM (SELECT x.channel,
                 sum(x.amount_cents) FILTER (WHERE x.day >= (skeldir.llm_scope_to(scope) AT TIME ZONE 'UTC')::date - 30) AS recent,
                 sum(x.amount_cents) FILTER (WHERE x.day >= (skeldir.llm_scope_from(scope) AT TIME ZONE 'UTC')::date) AS in_window
            FROM skeldir.ad_spend AS x
           WHERE x.currency = cur AND x.day < (skeldir.llm_scope_to(scope) AT TIME ZONE 'UTC')::date
           GROUP BY x.channel) AS s;
  spend_known := spend <> '{}';
  revenue_total := coalesce((SELECT sum(v) FROM unnest(w) AS v), 0);
  alloc := coalesce(lo, '{}');
  remaining := total - coalesce((SELECT sum(v) FROM unnest(lo) AS v), 0);
  active := ARRAY(SELECT w[k] > 0 AND alloc[k] < hi[k] FROM generate_subscripts(ch, 1) AS k ORDER BY k);

  LOOP
    sum_w := (SELECT sum(w[k]) FROM generate_subscripts(ch, 1) AS k WHERE active[k]);
    EXIT WHEN remaining = 0 OR sum_w IS NULL;
    pool := remaining;
    capped := false;
    FOR i IN 1 .. cardinality(ch) LOOP
      IF active[i] AND alloc[i] + pool * w[i] / sum_w >= hi[i] THEN
        remaining := remaining - (hi[i] - alloc[i]);
        alloc[i] := hi[i];
        active[i] := false;
        capped := true;
      END IF;
    END LOOP;
    CONTINUE WHEN capped;
    -- Nobody reaches a maximum: floors, then the leftover units one each to
    -- the largest remainders (ties: channel code, the array's order).
    given := 0;
    FOR i IN 1 .. cardinality(ch) LOOP
      IF active[i] THEN
        alloc[i] := alloc[i] + floor(pool * w[i] / sum_w);
        given := given + floor(pool * w[i] / sum_w);
      END IF;
    END LOOP;
    FOR i IN SELECT k FROM generate_subscripts(ch, 1) AS k
              WHERE active[k]
              ORDER BY pool * w[k] / sum_w - floor(pool * w[k] / sum_w) DESC, k
              LIMIT pool - given LOOP
      alloc[i] := alloc[i] + 1;
    END LOOP;
    remaining := 0;
  END LOOP;

  RETURN jsonb_build_object(
    'scope', scope,
    'total_budget', inputs -> 'total_budget',
    'optimization_goal', inputs ->> 'optimization_goal',
    'spend_data_available', spend_known,
    'note', CASE WHEN spend_known
                 THEN 'current_budget is each channel''s reported ad spend over the 30 days up to the window''s end, '
                      'expected_roas its attributed revenue over its spend in the window. The budget is split across '
                      'paid channels in proportion to the revenue attributed to them, within the given minimums and maximums.'
                 ELSE 'No ad spend is reported (PUT /api/spend): current budgets and ROAS are unknown. The budget is split '
                      'across paid channels in proportion to the revenue attributed to them, within the given minimums '
                      'and maximums.' END,
    'attributed_revenue_total', skeldir.in_major_units(revenue_total, cur_exponent),
    'unallocated_budget', skeldir.in_major_units(remaining, cur_exponent),
    'allocations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'channel', ch[k],
                              'current_budget', skeldir.in_major_units((spend #>> ARRAY[ch[k], 'last_30_days'])::bigint, cur_exponent),
                              'recommended_budget', skeldir.in_major_units(alloc[k], cur_exponent),
                              'expected_roas', CASE WHEN (spend #>> ARRAY[ch[k], 'window'])::bigint > 0
                                                    THEN round(w[k] / (spend #>> ARRAY[ch[k], 'window'])::bigint, 2) END,
                              'attributed_revenue', skeldir.in_major_units(w[k], cur_exponent),
                              'revenue_share_pct', CASE WHEN revenue_total > 0 THEN round(100 * w[k] / revenue_total, 1) ELSE 0 END)
                            ORDER BY alloc[k] DESC, ch[k]), '[]')
                      FROM generate_subscripts(ch, 1) AS k),
    'citations', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'metric', ch[k] || '_attributed_revenue', 'value', skeldir.in_major_units(w[k], cur_exponent), 'unit', cur,
                            'source', 'attribution_allocations.allocated_cents') ORDER BY ch[k]), '[]')
                    FROM generate_subscripts(ch, 1) AS k)
                 || (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'metric', ch[k] || '_ad_spend_30d',
                            'value', skeldir.in_major_units((spend #>> ARRAY[ch[k], 'last_30_days'])::bigint, cur_exponent), 'unit', cur,
                            'source', 'ad_spend.amount_cents') ORDER BY ch[k]), '[]')
                       FROM generate_subscripts(ch, 1) AS k WHERE spend #>> ARRAY[ch[k], 'last_30_days'] IS NOT NULL));
END
$$;

ALTER FUNCTION skeldir.llm_budget_facts(inputs jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_budget_inputs(numeric, text, jsonb, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_budget_inputs(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  c jsonb := coalesce(constraints, '{}');
  scope jsonb;
  bad text;
BEGIN
  IF total_budget IS NULL OR total_budget < 1000 THEN
    RAISE EXCEPTION 'total_budget must be at least 1000' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'total_budget';
  END IF;
  IF optimization_goal IS NULL OR optimization_goal NOT IN ('maximize_roas', 'maximize_revenue', 'minimize_cpa') THEN
    RAISE EXCEPTION 'optimization_goal must be one of maximize_roas, maximize_revenue, minimize_cpa'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'optimization_goal';
  END IF;
  IF jsonb_typeof(c) <> 'object' THEN
    RAISE EXCEPTION 'constraints must be a JSON object' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  scope := skeldir.llm_scope(jsonb_strip_nulls(coalesce(options, '{}') || jsonb_build_object('date_range', c -> 'date_range')));
  FOREACH bad IN ARRAY ARRAY['channel_minimums', 'channel_maximums'] LOOP
    IF jsonb_typeof(coalesce(c -> bad, '{}')) <> 'object' THEN
      RAISE EXCEPTION '% must be an object of channel: amount', bad USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
    END IF;
  END LOOP;
  SELECT string_agg(format('%s.%s', l.key, k.key), ', ' ORDER BY l.key, k.key) INTO bad
    FROM (VALUES ('channel_minimums'), ('channel_maximums')) AS l(key)
   CROSS JOIN LATERAL jsonb_each(coalesce(c -> l.key, '{}')) AS k
   WHERE jsonb_typeof(k.value) <> 'number' OR k.value::text::numeric < 0
      OR NOT EXISTS (SELECT 1 FROM skeldir.channel_taxonomy AS t WHERE t.code = k.key AND t.is_paid);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'constraints must map paid channels to non-negative amounts: % do not', bad
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  SELECT string_agg(mn.key, ', ' ORDER BY mn.key) INTO bad
    FROM jsonb_each(coalesce(c -> 'channel_minimums', '{}')) AS mn
    JOIN jsonb_each(coalesce(c -> 'channel_maximums', '{}')) AS mx ON mx.key = mn.key
   WHERE mn.value::text::numeric > mx.value::text::numeric;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'minimum above maximum for %', bad USING ERRCODE = 'invalid_parameter_value', COLUMN = 'constraints';
  END IF;
  IF (SELECT coalesce(sum(m.value::text::numeric), 0) FROM jsonb_each(coalesce(c -> 'channel_minimums', '{}')) AS m)
     > total_budget THEN
    RAISE EXCEPTION 'the channel minimums add up to more than total_budget' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN jsonb_build_object(
    'total_budget', round(total_budget, (SELECT x.exponent FROM skeldir.currencies AS x WHERE x.code = scope ->> 'currency')),
    'optimization_goal', optimization_goal,
    'channel_minimums', coalesce(c -> 'channel_minimums', '{}'),
    'channel_maximums', coalesce(c -> 'channel_maximums', '{}'),
    'scope', scope);
END
$$;

ALTER FUNCTION skeldir.llm_budget_inputs(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_budget_recommendation_facts(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_budget_recommendation_facts(budget_optimization_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  b skeldir.budget_optimization_jobs;
  standing text;
  failure text;
  res jsonb;
  cur text;
  allocations jsonb;
BEGIN
  SELECT * INTO b FROM skeldir.budget_optimization_jobs AS x
   WHERE x.tenant_id = tenant_in_context AND x.id = budget_optimization_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no budget optimization %', budget_optimization_id USING ERRCODE = 'no_data_found';
  END IF;
  SELECT s.status, s.error INTO standing, failure FROM skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id) AS s;
  IF standing = 'failed' THEN
    RAISE EXCEPTION 'budget optimization % failed (%), so there is no recommendation to explain', b.id, failure
      USING ERRCODE = 'no_data_found';
  ELSIF standing <> 'complete' THEN
    RAISE EXCEPTION 'budget optimization % is still running: its recommendation can be explained once GET /api/budget/recommendations/% answers complete',
                    b.id, b.id
      USING ERRCODE = 'no_data_found';
  END IF;
  res := b.result;
  cur := res #>> '{scope,currency}';
  SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'channel', a ->> 'channel', 'recommended_budget', a -> 'recommended_budget',
           'revenue_share_pct', a -> 'revenue_share_pct', 'attributed_revenue', a -> 'attributed_revenue',
           'current_budget', a -> 'current_budget', 'expected_roas', a -> 'expected_roas'))
           ORDER BY o), '[]')
    INTO allocations
    FROM jsonb_array_elements(coalesce(res -> 'allocations', '[]')) WITH ORDINALITY AS x(a, o);
  RETURN jsonb_build_object(
    'entity_type', 'budget_recommendation',
    'budget_optimization_id', b.id,
    'scope', res -> 'scope',
    'optimization_goal', res -> 'optimization_goal',
    'total_budget', res -> 'total_budget',
    'attributed_revenue_total', res -> 'attributed_revenue_total',
    'unallocated_budget', res -> 'unallocated_budget',
    'spend_data_available', coalesce(res -> 'spend_data_available', 'false'),
    'channels', jsonb_array_length(allocations),
    'allocations', allocations,
    'confidence', CASE WHEN jsonb_array_length(allocations) = 0 THEN 'low'
                       WHEN (res -> 'spend_data_available') = 'true' THEN 'high' ELSE 'medium' END,
    'citations', jsonb_build_array(
        jsonb_build_object('metric', 'total_budget', 'value', res -> 'total_budget', 'unit', cur,
                           'source', 'budget_optimization_jobs.inputs'),
        jsonb_build_object('metric', 'paid_channels_allocated', 'value', jsonb_array_length(allocations),
                           'source', 'budget_optimization_jobs.result'),
        jsonb_build_object('metric', 'paid_attributed_revenue', 'value', res -> 'attributed_revenue_total', 'unit', cur,
                           'source', 'budget_optimization_jobs.result'),
        jsonb_build_object('metric', 'unallocated_budget', 'value', res -> 'unallocated_budget', 'unit', cur,
                           'source', 'budget_optimization_jobs.result'))
      || (SELECT coalesce(jsonb_agg(c ORDER BY o, k), '[]')
            FROM jsonb_array_elements(allocations) WITH ORDINALITY AS x(a, o),
                 LATERAL (VALUES
                   (1, jsonb_build_object('metric', (a ->> 'channel') || '_recommended_budget', 'value', a -> 'recommended_budget',
                                          'unit', cur, 'source', 'budget_optimization_jobs.result')),
                   (2, jsonb_build_object('metric', (a ->> 'channel') || '_revenue_share_pct', 'value', a -> 'revenue_share_pct',
                                          'unit', '%', 'source', 'budget_optimization_jobs.result'))) AS v(k, c))
      -- What the optimization itself cited: each channel's attributed revenue and reported spend.
      || (SELECT coalesce(jsonb_agg(c ORDER BY o), '[]')
            FROM jsonb_array_elements(coalesce(res -> 'citations', '[]')) WITH ORDINALITY AS x(c, o)
           WHERE jsonb_typeof(c -> 'value') = 'number'));
END
$$;

ALTER FUNCTION skeldir.llm_budget_recommendation_facts(budget_optimization_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION llm_budget_recommendation_facts(budget_optimization_id uuid); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.llm_budget_recommendation_facts(budget_optimization_id uuid) IS 'Facts of a budget_recommendation explanation: a completed optimization''s stored recommendation, cited; 404 before it completes.';

--
-- Name: llm_call(skeldir.llm_feature, uuid, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_call(feature skeldir.llm_feature, request_id uuid, prompt jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $_$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  done skeldir.llm_api_calls;
  spent bigint;
  cap bigint;
  on_exceed skeldir.llm_on_exceed;
  requested skeldir.llm_models;
  fallback skeldir.llm_models;
  chosen skeldir.llm_models;
  prompt_tokens integer := skeldir.llm_estimate_tokens(prompt);
  estimate bigint;
  decision skeldir.llm_decision;
  reason text;
  response jsonb;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an LLM call needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF feature IS NULL OR request_id IS NULL OR jsonb_typeof(prompt) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'an LLM call needs a feature, a request id and a JSON object prompt'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- 1 and 2: a replay; otherwise the month's row, locked; then a replay
  -- again, for a concurrent call with this id that committed while we waited.
  FOR attempt IN 1 .. 2 LOOP
    SELECT * INTO done FROM skeldir.llm_api_calls AS c
     WHERE c.tenant_id = tenant AND c.request_id = llm_call.request_id;
    IF FOUND THEN
      IF done.feature <> llm_call.feature THEN
        RAISE EXCEPTION 'request id % was already used for a % call', request_id, done.feature
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      RETURN skeldir.llm_call_result(done);
    END IF;
    EXIT WHEN attempt = 2;
    INSERT INTO skeldir.llm_monthly_costs AS m (tenant_id, month) VALUES (tenant, this_month)
    ON CONFLICT (tenant_id, month) DO NOTHING;
    SELECT m.cost_micros INTO spent FROM skeldir.llm_monthly_costs AS m
     WHERE m.tenant_id = tenant AND m.month = this_month
       FOR UPDATE;
  END LOOP;

  -- 3: the tenant's cap and model, or the defaults.
  SELECT coalesce(b.monthly_cap_micros, s.default_monthly_cap_micros), coalesce(b.on_exceed, s.default_on_exceed),
         coalesce(b.model, s.default_model), s.fallback_model
    INTO cap, on_exceed, requested.model, fallback.model
    FROM skeldir.llm_settings AS s
    LEFT JOIN skeldir.llm_budget_caps AS b ON b.tenant_id = tenant;
  SELECT * INTO requested FROM skeldir.llm_models AS m WHERE m.model = requested.model;
  SELECT * INTO fallback FROM skeldir.llm_models AS m WHERE m.model = fallback.model;
  estimate := skeldir.llm_cost_micros(requested.micros_per_1k_tokens, prompt_tokens + requested.max_completion_tokens);
  IF spent + estimate <= cap THEN
    decision := 'allow';
    chosen := requested;
    reason := format('within the monthly cap: %s spent + %s estimated <= %s micro-USD', spent, estimate, cap);
  ELSIF on_exceed = 'fallback'
        AND spent + skeldir.llm_cost_micros(fallback.micros_per_1k_tokens,
                                            prompt_tokens + fallback.max_completion_tokens) <= cap THEN
    decision := 'fallback';
    chosen := fallback;
    reason := format('monthly cap exceeded: %s spent + %s estimated > %s micro-USD; fell back to %s',
                     spent, estimate, cap, fallback.model);
  ELSE
    decision := 'block';
    chosen := requested;
    reason := format('monthly cap exceeded: %s spent + %s estimated > %s micro-USD; blocked', spent, estimate, cap);
  END IF;

  -- 4: the call.
  IF decision <> 'block' THEN
    EXECUTE format('SELECT %s($1, $2)', chosen.body) INTO response USING feature, prompt;
    IF jsonb_typeof(response -> 'text') IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'model % answered without a text', chosen.model USING ERRCODE = 'data_exception';
    END IF;
  END IF;

  -- 5: the audit row (and, by trigger, the month).
  INSERT INTO skeldir.llm_api_calls AS c
    (tenant_id, request_id, feature, requested_model, model, provider, decision, reason, prompt_sha256,
     prompt_tokens, completion_tokens, estimated_cost_micros, cost_micros, month, response)
  SELECT tenant, request_id, feature, requested.model, chosen.model, chosen.provider, decision, reason,
         sha256(convert_to(prompt::text, 'UTF8')),
         u.prompt_tokens, u.completion_tokens, estimate,
         skeldir.llm_cost_micros(chosen.micros_per_1k_tokens, u.prompt_tokens + u.completion_tokens),
         this_month, response
    FROM (SELECT CASE WHEN decision = 'block' THEN 0 ELSE prompt_tokens END AS prompt_tokens,
                 skeldir.llm_estimate_tokens(response) AS completion_tokens) AS u
  RETURNING * INTO done;
  RETURN skeldir.llm_call_result(done);
END
$_$;

ALTER FUNCTION skeldir.llm_call(feature skeldir.llm_feature, request_id uuid, prompt jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_api_calls; Type: TABLE; Schema: skeldir; Owner: skeldir_books
--

CREATE TABLE skeldir.llm_api_calls (
    tenant_id uuid NOT NULL,
    request_id uuid NOT NULL,
    feature skeldir.llm_feature NOT NULL,
    requested_model text NOT NULL,
    model text NOT NULL,
    provider text NOT NULL,
    decision skeldir.llm_decision NOT NULL,
    reason text NOT NULL,
    prompt_sha256 bytea NOT NULL,
    prompt_tokens integer NOT NULL,
    completion_tokens integer NOT NULL,
    estimated_cost_micros bigint NOT NULL,
    cost_micros bigint NOT NULL,
    month date NOT NULL,
    response jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_api_calls_check CHECK (((decision = 'block'::skeldir.llm_decision) = (response IS NULL))),
    CONSTRAINT llm_api_calls_check1 CHECK (((decision <> 'block'::skeldir.llm_decision) OR ((prompt_tokens = 0) AND (completion_tokens = 0) AND (cost_micros = 0)))),
    CONSTRAINT llm_api_calls_completion_tokens_check CHECK ((completion_tokens >= 0)),
    CONSTRAINT llm_api_calls_cost_micros_check CHECK ((cost_micros >= 0)),
    CONSTRAINT llm_api_calls_estimated_cost_micros_check CHECK ((estimated_cost_micros >= 0)),
    CONSTRAINT llm_api_calls_month_check CHECK ((month = (date_trunc('month'::text, (month)::timestamp with time zone))::date)),
    CONSTRAINT llm_api_calls_prompt_tokens_check CHECK ((prompt_tokens >= 0))
);

ALTER TABLE ONLY skeldir.llm_api_calls FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.llm_api_calls OWNER TO skeldir_books;

--
-- Name: TABLE llm_api_calls; Type: COMMENT; Schema: skeldir; Owner: skeldir_books
--

COMMENT ON TABLE skeldir.llm_api_calls IS 'One audit row per LLM request id: feature, model, budget decision, estimated tokens, cost (micro-USD), response; append-only.';

--
-- Name: llm_call_result(skeldir.llm_api_calls); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_call_result(c skeldir.llm_api_calls) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_build_object(
  'request_id', c.request_id, 'feature', c.feature, 'decision', c.decision, 'reason', c.reason,
  'model', c.model, 'provider', c.provider, 'prompt_tokens', c.prompt_tokens,
  'completion_tokens', c.completion_tokens, 'cost_micros', c.cost_micros,
  'cost_usd', round(c.cost_micros / 1000000.0, 6), 'created_at', c.created_at, 'response', c.response)
$$;

ALTER FUNCTION skeldir.llm_call_result(c skeldir.llm_api_calls) OWNER TO skeldir_owner;

--
-- Name: llm_channel_performance_facts(text, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_channel_performance_facts(channel text, scope jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  cur text := scope ->> 'currency';
  total bigint;
  n bigint;
  my_cents bigint;
  my_purchases bigint;
  my_rank bigint;
  top_channel text;
  top_cents bigint;
  top_name text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM skeldir.channel_taxonomy AS t WHERE t.code = channel) THEN
    RAISE EXCEPTION 'unknown channel %', quote_literal(channel) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id';
  END IF;
  WITH per AS (
    SELECT a.channel, sum(a.allocated_cents)::bigint AS cents,
           count(DISTINCT a.event_id) FILTER (WHERE a.allocated_cents > 0) AS purchases
      FROM skeldir.attribution_allocations AS a
     WHERE a.tenant_id = tenant_in_context
       AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
       AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
     GROUP BY a.channel
    HAVING sum(a.allocated_cents) > 0
  ),
  ranked AS (
    SELECT p.channel, p.cents, p.purchases, row_number() OVER (ORDER BY p.cents DESC, p.channel) AS rnk FROM per AS p
  ),
  agg AS (SELECT coalesce(sum(r.cents), 0)::bigint AS total, count(*) AS n FROM ranked AS r)
  SELECT agg.total, agg.n, coalesce(me.cents, 0), coalesce(me.purchases, 0), coalesce(me.rnk, agg.n + 1),
         top.channel, top.cents, t.display_name
    INTO total, n, my_cents, my_purchases, my_rank, top_channel, top_cents, top_name
    FROM agg
    LEFT JOIN ranked AS me ON me.channel = llm_channel_performance_facts.channel
    LEFT JOIN ranked AS top ON top.rnk = 1
    LEFT JOIN skeldir.channel_taxonomy AS t ON t.code = top.channel;
  RETURN jsonb_build_object(
    'entity_type', 'channel_performance',
    'channel', channel,
    'channel_id', skeldir.channel_id(channel),
    'channel_name', (SELECT t.display_name FROM skeldir.channel_taxonomy AS t WHERE t.code = channel),
    'scope', scope,
    'revenue', skeldir.major_units(my_cents, cur),
    'purchases', my_purchases,
    'revenue_share_pct', CASE WHEN total > 0 THEN round(100.0 * my_cents / total, 1) ELSE 0 END,
    'rank', my_rank,
    'channels_with_revenue', n,
    'total_revenue', skeldir.major_units(total, cur),
    'top_channel', top_channel,
    'top_channel_name', top_name,
    'top_channel_revenue', skeldir.major_units(top_cents, cur),
    'confidence', CASE WHEN my_purchases >= 30 THEN 'high' WHEN my_purchases >= 5 THEN 'medium' ELSE 'low' END,
    'citations', jsonb_build_array(
      jsonb_build_object('metric', channel || '_attributed_revenue', 'value', skeldir.major_units(my_cents, cur),
                         'unit', cur, 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_attributed_purchases', 'value', my_purchases,
                         'source', 'attribution_allocations.event_id'),
      jsonb_build_object('metric', 'total_attributed_revenue', 'value', skeldir.major_units(total, cur),
                         'unit', cur, 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_revenue_share_pct',
                         'value', CASE WHEN total > 0 THEN round(100.0 * my_cents / total, 1) ELSE 0 END,
                         'unit', '%', 'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', channel || '_revenue_rank', 'value', my_rank,
                         'source', 'attribution_allocations.allocated_cents'),
      jsonb_build_object('metric', 'channels_with_revenue', 'value', n, 'source', 'attribution_allocations.channel'))
    || CASE WHEN top_channel IS DISTINCT FROM channel AND top_channel IS NOT NULL THEN jsonb_build_array(
         jsonb_build_object('metric', top_channel || '_attributed_revenue', 'value', skeldir.major_units(top_cents, cur),
                            'unit', cur, 'source', 'attribution_allocations.allocated_cents'))
       ELSE '[]' END);
END
$$;

ALTER FUNCTION skeldir.llm_channel_performance_facts(channel text, scope jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_cost_micros(bigint, bigint); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_cost_micros(micros_per_1k_tokens bigint, tokens bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    RETURN (((tokens * micros_per_1k_tokens) + 999) / 1000);

ALTER FUNCTION skeldir.llm_cost_micros(micros_per_1k_tokens bigint, tokens bigint) OWNER TO skeldir_owner;

--
-- Name: llm_deterministic_v1(skeldir.llm_feature, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
  f jsonb := prompt -> 'facts';
  cur text := f #>> '{scope,currency}';
  span text := format('from %s to %s', coalesce(f #>> '{scope,start_date}', 'the first record'),
                      coalesce(f #>> '{scope,end_date}', 'the latest'));
  txt text;
  k integer;
  n integer;
  kept text;
BEGIN
  IF f IS NULL OR jsonb_typeof(f) <> 'object' THEN
    RAISE EXCEPTION 'deterministic-v1: the prompt has no facts object' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  CASE
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'channel_performance' THEN
    txt := format('%s was credited %s %s of attributed revenue under the %s model %s: %s%% of the %s %s attributed '
                  'across %s channel(s), from %s purchase(s), ranking #%s.',
                  f ->> 'channel_name', f ->> 'revenue', cur, f #>> '{scope,model}', span,
                  f ->> 'revenue_share_pct', f ->> 'total_revenue', cur, f ->> 'channels_with_revenue',
                  f ->> 'purchases', f ->> 'rank');
    IF f ->> 'top_channel' IS DISTINCT FROM f ->> 'channel' AND f ->> 'top_channel' IS NOT NULL THEN
      txt := txt || format(' The leading channel, %s, was credited %s %s.', f ->> 'top_channel_name',
                           f ->> 'top_channel_revenue', cur);
    END IF;
    IF (f ->> 'purchases')::bigint < 5 THEN
      txt := txt || ' So few purchases make this a weak signal.';
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'attribution_score' THEN
    IF coalesce(f -> 'models', '{}') = '{}' THEN
      txt := format('This %s %s purchase of %s, arriving through %s, has no attribution credits yet: the recompute of its '
                    'day has not run, so no model has split its revenue among the channels that led to it.',
                    f ->> 'revenue', f ->> 'currency', f ->> 'occurred_on', f ->> 'channel');
    ELSE
      -- Each model's largest shares, as many per model as fit in 500 characters.
      FOR k IN REVERSE 3 .. 1 LOOP
        SELECT format('This %s %s purchase of %s, arriving through %s, is credited by model as follows%s: %s. '
                      'Each model''s shares sum exactly to the purchase''s revenue.',
                      f ->> 'revenue', f ->> 'currency', f ->> 'occurred_on', f ->> 'channel',
                      CASE WHEN bool_or(m.total > k) THEN ' (largest shares)' ELSE '' END,
                      string_agg(m.key || ' ' || m.parts, '; ' ORDER BY m.key))
          INTO txt
          FROM (SELECT e.key, jsonb_array_length(e.value) AS total,
                       (SELECT string_agg(format('%s %s (%s%%)', a ->> 'channel', a ->> 'amount', a ->> 'ratio_pct'),
                                          ', ' ORDER BY o)
                          FROM jsonb_array_elements(e.value) WITH ORDINALITY AS x(a, o)
                         WHERE o <= k) AS parts
                  FROM jsonb_each(f -> 'models') AS e) AS m;
        EXIT WHEN char_length(txt) <= 500;
      END LOOP;
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'budget_recommendation' THEN
    n := (f ->> 'channels')::integer;
    IF n = 0 THEN
      txt := format('No paid channel had revenue attributed under the %s model %s, so this recommendation for %s could not '
                    'split the %s %s budget on evidence: %s %s of it stays unallocated.',
                    f #>> '{scope,model}', span, f ->> 'optimization_goal', f ->> 'total_budget', cur,
                    f ->> 'unallocated_budget', cur);
    ELSE
      -- The largest allocations, as many as fit in 500 characters.
      FOR k IN REVERSE n .. 1 LOOP
        SELECT format('This recommendation for %s splits the %s %s budget across %s paid channel(s) by their shares of the '
                      '%s %s of revenue attributed to them under the %s model %s: %s%s.',
                      f ->> 'optimization_goal', f ->> 'total_budget', cur, n, f ->> 'attributed_revenue_total', cur,
                      f #>> '{scope,model}', span,
                      string_agg(format('%s %s %s (%s%%)', a ->> 'channel', a ->> 'recommended_budget', cur,
                                        a ->> 'revenue_share_pct'), ', ' ORDER BY o),
                      CASE WHEN k < n THEN ', the largest among them' ELSE '' END)
          INTO txt
          FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o)
         WHERE o <= k;
        IF (f ->> 'unallocated_budget')::numeric > 0 THEN
          txt := txt || format(' %s %s stays unallocated: no channel with attributed revenue had room under its maximum.',
                               f ->> 'unallocated_budget', cur);
        END IF;
        txt := txt || CASE WHEN (f -> 'spend_data_available') = 'true'
                           THEN ' Reported ad spend gives each channel''s current budget and ROAS.'
                           ELSE ' No ad spend is reported, so current budgets and ROAS are unknown.' END;
        EXIT WHEN char_length(txt) <= 500;
      END LOOP;
    END IF;
  WHEN feature = 'explanation' AND f ->> 'entity_type' = 'reconciliation_discrepancy' THEN
    txt := format('%s order "%s" of %s claims %s %s', f ->> 'shop_name',
                  CASE WHEN char_length(f ->> 'order_id') > 40 THEN left(f ->> 'order_id', 37) || '...' ELSE f ->> 'order_id' END,
                  f ->> 'ordered_on', f ->> 'claimed', f ->> 'currency');
    IF f ->> 'outcome' = 'ghost' THEN
      txt := txt || format(', and no payment processor captured it: a ghost order, %s %s short of the claim%s, as the '
                           'reconciliation run that finished on %s found. The shop counts money its processors never '
                           'received; check whether the order was paid at all.',
                           f ->> 'gap', f ->> 'currency',
                           CASE WHEN f ->> 'gap_pct' IS NOT NULL THEN format(' (%s%%)', f ->> 'gap_pct') ELSE '' END,
                           f ->> 'run_finished_on');
    ELSE
      txt := txt || format(', but %s captured %s %s for it: %s %s %s than claimed%s, as the reconciliation run that '
                           'finished on %s found. %s',
                           f ->> 'processor_name', f ->> 'captured', f ->> 'currency', f ->> 'gap', f ->> 'currency',
                           CASE WHEN (f -> 'captured_short') = 'true' THEN 'less' ELSE 'more' END,
                           CASE WHEN f ->> 'gap_pct' IS NOT NULL THEN format(', a discrepancy of %s%%', f ->> 'gap_pct') ELSE '' END,
                           f ->> 'run_finished_on',
                           CASE WHEN (f -> 'captured_short') = 'true'
                                THEN 'A refund or chargeback only the processor knows of, a partial capture or one in another currency would explain the gap.'
                                ELSE 'A second charge, or a capture of another order booked under this one, would explain the excess.' END);
    END IF;
  WHEN feature = 'investigation' THEN
    txt := format('%s, net revenue was %s %s (captured %s, refunded %s; refund rate %s) over %s day(s). ',
                  upper(left(span, 1)) || substr(span, 2), f #>> '{totals,net}', cur, f #>> '{totals,captured}', f #>> '{totals,refunded}',
                  coalesce((f #>> '{totals,refund_rate_pct}') || '%', 'n/a: nothing captured'), f ->> 'days');
    SELECT txt || CASE WHEN count(*) = 0 THEN 'No day stood out from the daily pattern. '
                       ELSE format('%s day(s) stood out: %s. ', count(*),
                                   string_agg(format('%s (%s)', a ->> 'day', replace(a ->> 'kind', '_', ' ')), ', ' ORDER BY o)) END
      INTO txt
      FROM jsonb_array_elements(f -> 'anomalies') WITH ORDINALITY AS x(a, o);
    IF jsonb_array_length(f -> 'top_channels') > 0 THEN
      txt := txt || format('%s led attributed revenue with %s%% (%s model). ',
                           f #>> '{top_channels,0,channel}', f #>> '{top_channels,0,revenue_share_pct}',
                           f #>> '{scope,model}');
    END IF;
    txt := txt || 'These figures come from the revenue ledger and attribution; the question''s wording was not interpreted.';
  WHEN feature = 'budget_optimization' THEN
    SELECT CASE WHEN count(*) = 0
                THEN format('No paid channel has attributed revenue %s, so the %s budget cannot be split on evidence.',
                            span, f ->> 'total_budget')
                ELSE format('Of the %s budget, allocate %s.', f ->> 'total_budget',
                            string_agg(format('%s to %s (%s%% of paid attributed revenue)', a ->> 'recommended_budget',
                                              a ->> 'channel', a ->> 'revenue_share_pct'), ', ' ORDER BY o)) END
      INTO txt
      FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o);
    IF (f -> 'spend_data_available') = 'true' THEN
      SELECT txt || ' Reported ad spend over the last 30 days: '
                 || coalesce(string_agg(format('%s %s (ROAS %s)', a ->> 'channel', a ->> 'current_budget',
                                               coalesce(a ->> 'expected_roas', 'unknown')), ', ' ORDER BY o)
                               FILTER (WHERE a ->> 'current_budget' IS NOT NULL), 'none on these channels') || '.'
        INTO txt
        FROM jsonb_array_elements(f -> 'allocations') WITH ORDINALITY AS x(a, o);
      txt := txt || format(' The split follows revenue attributed under the %s model %s, for the goal %s, '
                           'within the given minimums and maximums.', f #>> '{scope,model}', span, f ->> 'optimization_goal');
    ELSE
      txt := txt || format(' No ad-spend data is available, so current budgets and ROAS are unknown: the split follows '
                           'revenue attributed under the %s model %s, for the goal %s, within the given minimums and maximums.',
                           f #>> '{scope,model}', span, f ->> 'optimization_goal');
    END IF;
  ELSE
    RAISE EXCEPTION 'deterministic-v1 cannot answer % prompts of entity type %', feature,
                    coalesce(f ->> 'entity_type', '(none)') USING ERRCODE = 'invalid_parameter_value';
  END CASE;
  -- An explanation is 150 to 500 characters (the contract's bounds for
  -- both explain paths): whole sentences only when a text runs long, and a
  -- closing sentence without figures when one is short.
  IF feature = 'explanation' THEN
    WHILE char_length(txt) > 500 LOOP
      kept := substring(txt FROM '^(.*\.) ');
      EXIT WHEN kept IS NULL;
      txt := kept;
    END LOOP;
    IF char_length(txt) > 500 THEN
      txt := substring(left(txt, 497) FROM '^(.*) ') || '...';
    END IF;
    IF char_length(txt) < 150 THEN
      txt := txt || ' These are the tenant''s own records as Skeldir holds them; no language model has reworded them.';
    END IF;
  END IF;
  RETURN jsonb_build_object('text', txt);
END
$$;

ALTER FUNCTION skeldir.llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_estimate_tokens(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_estimate_tokens(content jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN (content IS NULL) THEN 0 ELSE (ceil(((octet_length((content)::text))::numeric / 4.0)))::integer END;

ALTER FUNCTION skeldir.llm_estimate_tokens(content jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_explanation_facts(text, text, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_explanation_facts(entity_type text, entity_id text, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  id uuid;
BEGIN
  IF entity_type IS NULL OR entity_type NOT IN ('attribution_score', 'budget_recommendation', 'reconciliation_discrepancy',
                                                'channel_performance') THEN
    RAISE EXCEPTION 'entity_type must be one of: attribution_score, budget_recommendation, reconciliation_discrepancy, channel_performance'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_type';
  END IF;
  IF entity_type = 'channel_performance' THEN
    RETURN skeldir.llm_channel_performance_facts(skeldir.channel_code(entity_id), skeldir.llm_scope(options));
  END IF;
  BEGIN
    id := entity_id::uuid;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION '% explanations take a UUID entity_id (%), not %', entity_type,
      CASE entity_type WHEN 'attribution_score' THEN 'a purchase event id'
                       WHEN 'budget_recommendation' THEN 'the job_id of POST /api/budget/optimize'
                       ELSE 'a discrepancy id of GET /api/reconciliation/platform/{platform_id}' END,
      quote_literal(entity_id)
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id';
  END;
  CASE entity_type
  WHEN 'attribution_score' THEN
    RETURN skeldir.llm_attribution_score_facts(id);
  WHEN 'budget_recommendation' THEN
    RETURN skeldir.llm_budget_recommendation_facts(id);
  ELSE
    RETURN skeldir.llm_reconciliation_discrepancy_facts(id);
  END CASE;
END
$$;

ALTER FUNCTION skeldir.llm_explanation_facts(entity_type text, entity_id text, options jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_investigation_facts(text, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_investigation_facts(question text, context jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  scope jsonb := skeldir.llm_scope(context);
  cur text := scope ->> 'currency';
  cur_exponent integer := (SELECT c.exponent FROM skeldir.currencies AS c WHERE c.code = cur);
  tenant_in_context uuid := skeldir.current_tenant_id();
  channel_filter text[] := ARRAY(SELECT jsonb_array_elements_text(scope -> 'channels'));
  daily jsonb;
  stats record;
  anomalies jsonb;
  top_channels jsonb;
  findings jsonb;
  depth text;
BEGIN
  WITH money AS (
    SELECT (l.occurred_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 0) AS captured,
           coalesce(sum(l.amount_cents) FILTER (WHERE l.state <> 'captured'), 0) AS refunded
      FROM skeldir.revenue_ledger AS l
      JOIN skeldir.attribution_events AS e ON e.tenant_id = l.tenant_id AND e.id = l.event_id
     WHERE l.tenant_id = tenant_in_context AND l.currency = cur
       AND l.occurred_at >= skeldir.llm_scope_from(scope) AND l.occurred_at < skeldir.llm_scope_to(scope)
       AND (cardinality(channel_filter) = 0 OR e.channel = ANY (channel_filter))
     GROUP BY 1
  ),
  span AS (SELECT greatest(min(m.day), max(m.day) - 365) AS first_day, max(m.day) AS last_day FROM money AS m)
  SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'captured', d.captured, 'refunded', d.refunded,
                                               'net', d.captured - d.refunded) ORDER BY d.day), '[]')
    INTO daily
    FROM (SELECT g::date AS day, coalesce(m.captured, 0) AS captured, coalesce(m.refunded, 0) AS refunded
            FROM span, generate_series(span.first_day::timestamp, span.last_day::timestamp, interval '1 day') AS g
            LEFT JOIN money AS m ON m.day = g::date) AS d;

  -- Minor units from here on; converted to the currency's amounts on output.
  SELECT count(*) AS days, coalesce(sum((x ->> 'captured')::bigint), 0) AS captured,
         coalesce(sum((x ->> 'refunded')::bigint), 0) AS refunded,
         avg((x ->> 'net')::numeric) AS mean, stddev_pop((x ->> 'net')::numeric) AS sd
    INTO stats
    FROM jsonb_array_elements(daily) AS x;
  depth := CASE WHEN stats.days >= 14 THEN 'high' WHEN stats.days >= 7 THEN 'medium' ELSE 'low' END;

  SELECT coalesce(jsonb_agg(s.a ORDER BY s.a ->> 'day', s.a ->> 'kind'), '[]') INTO anomalies
    FROM (SELECT u.a FROM (SELECT jsonb_build_object('day', x ->> 'day',
                                    'kind', CASE WHEN (x ->> 'net')::numeric > stats.mean THEN 'revenue_spike' ELSE 'revenue_drop' END,
                                    'net', skeldir.in_major_units((x ->> 'net')::numeric, cur_exponent),
                                    'z_score', round(((x ->> 'net')::numeric - stats.mean) / stats.sd, 2)) AS a
            FROM jsonb_array_elements(daily) AS x
           WHERE stats.sd > 0 AND abs((x ->> 'net')::numeric - stats.mean) >= 2 * stats.sd
          UNION ALL
          SELECT jsonb_build_object('day', x ->> 'day', 'kind', 'refund_spike',
                                    'refunded', skeldir.in_major_units((x ->> 'refunded')::numeric, cur_exponent),
                                    'refund_rate_pct', CASE WHEN (x ->> 'captured')::bigint > 0
                                      THEN round(100.0 * (x ->> 'refunded')::bigint / (x ->> 'captured')::bigint, 2) END)
            FROM jsonb_array_elements(daily) AS x
           WHERE (x ->> 'refunded')::bigint > 0
             AND (x ->> 'refunded')::numeric * stats.captured >= 2 * stats.refunded * (x ->> 'captured')::numeric
          ) AS u(a)
           ORDER BY u.a ->> 'day', u.a ->> 'kind'
           LIMIT 10) AS s(a);

  SELECT coalesce(jsonb_agg(jsonb_build_object('channel', c.channel, 'revenue', skeldir.in_major_units(c.cents, cur_exponent),
                                               'revenue_share_pct', round(100.0 * c.cents / nullif(c.total, 0), 1))
                            ORDER BY c.cents DESC, c.channel), '[]')
    INTO top_channels
    FROM (SELECT a.channel, sum(a.allocated_cents) AS cents, sum(sum(a.allocated_cents)) OVER () AS total
            FROM skeldir.attribution_allocations AS a
           WHERE a.tenant_id = tenant_in_context
             AND a.model = (scope ->> 'model')::skeldir.attribution_model AND a.currency = cur
             AND a.occurred_at >= skeldir.llm_scope_from(scope) AND a.occurred_at < skeldir.llm_scope_to(scope)
             AND (cardinality(channel_filter) = 0 OR a.channel = ANY (channel_filter))
           GROUP BY a.channel
          HAVING sum(a.allocated_cents) > 0
           ORDER BY 2 DESC, 1
           LIMIT 5) AS c;

  findings := jsonb_build_array(jsonb_build_object(
    'finding', format('Net revenue was %s %s over %s day(s): %s captured, %s refunded.',
                      skeldir.in_major_units(stats.captured - stats.refunded, cur_exponent), cur, stats.days,
                      skeldir.in_major_units(stats.captured, cur_exponent), skeldir.in_major_units(stats.refunded, cur_exponent)),
    'evidence', jsonb_build_array(
      jsonb_build_object('metric', 'captured_revenue', 'value', skeldir.in_major_units(stats.captured, cur_exponent), 'source', 'revenue_ledger.amount_cents'),
      jsonb_build_object('metric', 'refunded_revenue', 'value', skeldir.in_major_units(stats.refunded, cur_exponent), 'source', 'revenue_ledger.amount_cents'),
      jsonb_build_object('metric', 'net_revenue', 'value', skeldir.in_major_units(stats.captured - stats.refunded, cur_exponent), 'source', 'revenue_ledger.amount_cents')),
    'confidence', depth));
  IF stats.captured > 0 THEN
    findings := findings || jsonb_build_object(
      'finding', format('The refund rate was %s%%.', round(100.0 * stats.refunded / stats.captured, 2)),
      'evidence', jsonb_build_array(jsonb_build_object('metric', 'refund_rate_pct',
                                                       'value', round(100.0 * stats.refunded / stats.captured, 2),
                                                       'source', 'revenue_ledger.amount_cents')),
      'confidence', depth);
  END IF;
  SELECT findings || coalesce(jsonb_agg(jsonb_build_object(
           'finding', CASE a ->> 'kind'
                        WHEN 'refund_spike' THEN
                          CASE WHEN jsonb_typeof(a -> 'refund_rate_pct') = 'number'
                               THEN format('%s: refunds of %s %s, a refund rate of %s%%, at least twice the window''s.',
                                           a ->> 'day', a ->> 'refunded', cur, a ->> 'refund_rate_pct')
                               ELSE format('%s: refunds of %s %s on a day without captures, so without a refund rate (n/a).',
                                           a ->> 'day', a ->> 'refunded', cur) END
                        ELSE format('%s: net revenue of %s %s, %s standard deviations from the daily mean of %s %s.',
                                    a ->> 'day', a ->> 'net', cur, a ->> 'z_score', skeldir.in_major_units(round(stats.mean), cur_exponent), cur) END,
           'evidence', CASE a ->> 'kind'
                         WHEN 'refund_spike' THEN jsonb_build_array(
                           jsonb_build_object('metric', 'refunded_revenue_' || (a ->> 'day'), 'value', a -> 'refunded', 'source', 'revenue_ledger.amount_cents'),
                           CASE WHEN jsonb_typeof(a -> 'refund_rate_pct') = 'number'
                                THEN jsonb_build_object('metric', 'refund_rate_pct_' || (a ->> 'day'), 'value', a -> 'refund_rate_pct', 'source', 'revenue_ledger.amount_cents')
                                -- No captures that day, so no rate: the captures (0) are the evidence.
                                ELSE jsonb_build_object('metric', 'captured_revenue_' || (a ->> 'day'), 'value', skeldir.in_major_units(0, cur_exponent), 'source', 'revenue_ledger.amount_cents') END)
                         ELSE jsonb_build_array(
                           jsonb_build_object('metric', 'net_revenue_' || (a ->> 'day'), 'value', a -> 'net', 'source', 'revenue_ledger.amount_cents'),
                           jsonb_build_object('metric', 'daily_mean_net_revenue', 'value', skeldir.in_major_units(round(stats.mean), cur_exponent), 'source', 'revenue_ledger.amount_cents'),
                           jsonb_build_object('metric', 'z_score', 'value', a -> 'z_score', 'source', 'revenue_ledger.amount_cents')) END,
           'confidence', depth) ORDER BY o), '[]')
    INTO findings
    FROM jsonb_array_elements(anomalies) WITH ORDINALITY AS x(a, o);
  IF jsonb_array_length(top_channels) > 0 THEN
    findings := findings || jsonb_build_object(
      'finding', format('%s earned the most attributed revenue: %s %s, %s%% (%s model).',
                        top_channels #>> '{0,channel}', top_channels #>> '{0,revenue}', cur,
                        top_channels #>> '{0,revenue_share_pct}', scope ->> 'model'),
      'evidence', jsonb_build_array(jsonb_build_object('metric', (top_channels #>> '{0,channel}') || '_attributed_revenue',
                                                       'value', top_channels #> '{0,revenue}',
                                                       'source', 'attribution_allocations.allocated_cents')),
      'confidence', depth);
  END IF;

  RETURN jsonb_build_object(
    'question', question,
    'scope', scope,
    'days', stats.days,
    'totals', jsonb_build_object('captured', skeldir.in_major_units(stats.captured, cur_exponent),
                                 'refunded', skeldir.in_major_units(stats.refunded, cur_exponent),
                                 'net', skeldir.in_major_units(stats.captured - stats.refunded, cur_exponent),
                                 'refund_rate_pct', CASE WHEN stats.captured > 0
                                                         THEN round(100.0 * stats.refunded / stats.captured, 2) END),
    'daily_mean_net', skeldir.in_major_units(round(stats.mean), cur_exponent),
    'daily_stddev_net', skeldir.in_major_units(round(stats.sd), cur_exponent),
    'revenue_by_day', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                'day', x ->> 'day',
                                'captured', skeldir.in_major_units((x ->> 'captured')::numeric, cur_exponent),
                                'refunded', skeldir.in_major_units((x ->> 'refunded')::numeric, cur_exponent),
                                'net', skeldir.in_major_units((x ->> 'net')::numeric, cur_exponent)) ORDER BY o), '[]')
                         FROM jsonb_array_elements(daily) WITH ORDINALITY AS d(x, o)),
    'anomalies', anomalies,
    'top_channels', top_channels,
    'findings', findings);
END
$$;

ALTER FUNCTION skeldir.llm_investigation_facts(question text, context jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_job_begin(regclass, text, jsonb, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_job_begin(job_table regclass, what text, args jsonb, id_key text) RETURNS boolean
    LANGUAGE plpgsql
    AS $_$
DECLARE
  id uuid := (args ->> id_key)::uuid;
  request_id uuid;
  status skeldir.llm_job_status;
BEGIN
  EXECUTE format('SELECT r.request_id, r.status FROM %s AS r WHERE r.tenant_id = $1 AND r.id = $2 FOR UPDATE', job_table)
     INTO request_id, status USING skeldir.current_tenant_id(), id;
  IF status IS NULL THEN
    RAISE EXCEPTION 'no % % for this tenant', what, args ->> id_key USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF request_id IS DISTINCT FROM (args ->> 'request_id')::uuid THEN
    RAISE EXCEPTION '% % has request id %, not %', what, id, request_id, args ->> 'request_id'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF status IN ('completed', 'failed') THEN
    RETURN false;
  END IF;
  EXECUTE format('UPDATE %s AS r SET status = ''running'', started_at = coalesce(r.started_at, $3)
                   WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING skeldir.current_tenant_id(), id, clock_timestamp();
  RETURN true;
END
$_$;

ALTER FUNCTION skeldir.llm_job_begin(job_table regclass, what text, args jsonb, id_key text) OWNER TO skeldir_owner;

--
-- Name: llm_job_enqueue(regclass, text, text, uuid, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_job_enqueue(job_table regclass, kind text, id_key text, id uuid, request_id uuid) RETURNS uuid
    LANGUAGE plpgsql
    AS $_$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  existing uuid;
BEGIN
  IF id IS NULL THEN
    EXECUTE format('SELECT r.id FROM %s AS r WHERE r.tenant_id = $1 AND r.request_id = $2', job_table)
       INTO existing USING tenant, request_id;
    RETURN existing;
  END IF;
  EXECUTE format('UPDATE %s AS r SET job_id = $3 WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING tenant, id, skeldir.enqueue(kind, jsonb_build_object(id_key, id, 'request_id', request_id),
                                      tenant, NULL, kind || ':' || tenant || ':' || id);
  RETURN id;
END
$_$;

ALTER FUNCTION skeldir.llm_job_enqueue(job_table regclass, kind text, id_key text, id uuid, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: llm_job_finish(regclass, uuid, uuid, skeldir.llm_feature, text, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_job_finish(job_table regclass, id uuid, request_id uuid, feature skeldir.llm_feature, instructions text, facts jsonb) RETURNS void
    LANGUAGE plpgsql
    AS $_$
DECLARE
  call jsonb := skeldir.llm_call(feature, request_id,
                                 jsonb_build_object('feature', feature, 'instructions', instructions, 'facts', facts));
  status skeldir.llm_job_status := 'completed';
  result jsonb;
  error text;
BEGIN
  IF call ->> 'decision' = 'block' THEN
    status := 'failed';
    error := 'llm budget exceeded: ' || (call ->> 'reason');
  ELSE
    result := facts || jsonb_build_object('synthesis', call #> '{response,text}', 'llm', call - 'response' - 'created_at');
  END IF;
  EXECUTE format('UPDATE %s AS r SET status = $3, result = $4, error = $5, finished_at = $6
                   WHERE r.tenant_id = $1 AND r.id = $2', job_table)
    USING skeldir.current_tenant_id(), id, status, result, error, clock_timestamp();
END
$_$;

ALTER FUNCTION skeldir.llm_job_finish(job_table regclass, id uuid, request_id uuid, feature skeldir.llm_feature, instructions text, facts jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_job_standing(skeldir.llm_job_status, text, bigint, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint, tenant_id uuid, OUT status text, OUT progress_percentage integer, OUT error text) RETURNS record
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT s.status,
         CASE s.status
             WHEN 'queued'::text THEN 0
             WHEN 'running'::text THEN 50
             ELSE 100
         END AS "case",
     COALESCE(llm_job_standing.row_error,
         CASE
             WHEN (s.status = 'failed'::text) THEN 'the request could not be completed; quote its id to support'::text
             ELSE NULL::text
         END) AS "coalesce"
    FROM ((( VALUES (true)) one
      LEFT JOIN skeldir.jobs j ON (((j.id = llm_job_standing.job_id) AND (j.tenant_scope = llm_job_standing.tenant_id))))
      CROSS JOIN LATERAL ( SELECT
                 CASE
                     WHEN (llm_job_standing.row_status = 'completed'::skeldir.llm_job_status) THEN 'complete'::text
                     WHEN ((llm_job_standing.row_status = 'failed'::skeldir.llm_job_status) OR (j.state = 'dead'::skeldir.job_state)) THEN 'failed'::text
                     WHEN ((j.state = 'running'::skeldir.job_state) OR (llm_job_standing.row_status = 'running'::skeldir.llm_job_status)) THEN 'running'::text
                     ELSE 'queued'::text
                 END AS status) s);
END;

ALTER FUNCTION skeldir.llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint, tenant_id uuid, OUT status text, OUT progress_percentage integer, OUT error text) OWNER TO skeldir_owner;

--
-- Name: llm_reconciliation_discrepancy_facts(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_reconciliation_discrepancy_facts(result_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  x skeldir.reconciliation_results;
  finished timestamptz;
  shop_name text;
  processor_name text;
  claimed numeric;
  captured numeric;
  gap numeric;
  gap_pct numeric;
  short boolean;
BEGIN
  SELECT * INTO x FROM skeldir.reconciliation_results AS r
   WHERE r.tenant_id = tenant_in_context AND r.id = result_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciliation discrepancy %', result_id USING ERRCODE = 'no_data_found',
      HINT = 'GET /api/reconciliation/platform/{platform_id} lists the discrepancies of the latest completed run, with their ids.';
  ELSIF x.outcome = 'verified' THEN
    RAISE EXCEPTION 'reconciliation result % is a verified order: there is no discrepancy to explain', result_id
      USING ERRCODE = 'no_data_found';
  END IF;
  SELECT r.finished_at INTO finished FROM skeldir.reconciliation_runs AS r
   WHERE r.tenant_id = x.tenant_id AND r.id = x.run_id;
  SELECT p.display_name INTO shop_name FROM skeldir.reconciliation_platforms AS p WHERE p.platform = x.shop_platform;
  SELECT p.display_name INTO processor_name FROM skeldir.reconciliation_platforms AS p WHERE p.platform = x.processor_platform;
  claimed := skeldir.major_units(x.claimed_cents, x.currency);
  captured := skeldir.major_units(x.captured_cents, x.currency);
  gap := skeldir.major_units(abs(x.captured_cents - x.claimed_cents), x.currency);
  short := x.captured_cents < x.claimed_cents;
  gap_pct := round(abs(x.discrepancy_bps) / 100.0, 2);
  RETURN jsonb_build_object(
    'entity_type', 'reconciliation_discrepancy',
    'discrepancy_id', x.id,
    'run_id', x.run_id,
    'run_finished_on', (finished AT TIME ZONE 'UTC')::date,
    'order_id', x.order_id,
    'ordered_on', (x.ordered_at AT TIME ZONE 'UTC')::date,
    'outcome', x.outcome,
    'shop_platform', x.shop_platform,
    'shop_name', shop_name,
    'processor_platform', x.processor_platform,
    'processor_name', processor_name,
    'currency', x.currency,
    'claimed', claimed,
    'captured', captured,
    'gap', gap,
    'captured_short', short,
    'gap_pct', gap_pct,
    'confidence', 'high',
    'citations', jsonb_build_array(
        jsonb_build_object('metric', 'claimed_revenue', 'value', claimed, 'unit', x.currency,
                           'source', 'reconciliation_results.claimed_cents'),
        jsonb_build_object('metric', 'captured_revenue', 'value', captured, 'unit', x.currency,
                           'source', 'reconciliation_results.captured_cents'),
        jsonb_build_object('metric', CASE WHEN short THEN 'captured_short_of_claim' ELSE 'captured_over_claim' END,
                           'value', gap, 'unit', x.currency, 'source', 'reconciliation_results.captured_cents'))
      || CASE WHEN gap_pct IS NOT NULL THEN jsonb_build_array(
           jsonb_build_object('metric', 'discrepancy_pct', 'value', gap_pct, 'unit', '%',
                              'source', 'reconciliation_results.discrepancy_bps'))
         ELSE '[]' END);
END
$$;

ALTER FUNCTION skeldir.llm_reconciliation_discrepancy_facts(result_id uuid) OWNER TO skeldir_owner;

--
-- Name: FUNCTION llm_reconciliation_discrepancy_facts(result_id uuid); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.llm_reconciliation_discrepancy_facts(result_id uuid) IS 'Facts of a reconciliation_discrepancy explanation: a ghost or discrepant order of a run, by result id, cited.';

--
-- Name: llm_scope(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_scope(options jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  o jsonb := coalesce(options, '{}');
  start_date date;
  end_date date;
  model text := coalesce(o ->> 'model', 'linear');
  currency text := upper(o ->> 'currency');
  channels jsonb := coalesce(o -> 'channels', '[]');
  unknown text;
BEGIN
  IF jsonb_typeof(o) <> 'object' THEN
    RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'context';
  END IF;
  BEGIN
    start_date := (o #>> '{date_range,start_date}')::date;
    end_date := (o #>> '{date_range,end_date}')::date;
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'date_range.start_date and end_date must be dates (YYYY-MM-DD)'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'date_range';
  END;
  IF start_date > end_date THEN
    RAISE EXCEPTION 'date_range.start_date % is after end_date %', start_date, end_date
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'date_range';
  END IF;
  IF NOT model = ANY (enum_range(NULL::skeldir.attribution_model)::text[]) THEN
    RAISE EXCEPTION 'model must be one of %', enum_range(NULL::skeldir.attribution_model)
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'model';
  END IF;
  IF jsonb_typeof(channels) <> 'array' THEN
    RAISE EXCEPTION 'channels must be an array of channel codes' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;
  SELECT string_agg(c.value::text, ', ') INTO unknown
    FROM jsonb_array_elements(channels) AS c
   WHERE NOT EXISTS (SELECT 1 FROM skeldir.channel_taxonomy AS t WHERE to_jsonb(t.code) = c.value);
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown channel(s): %', unknown USING ERRCODE = 'invalid_parameter_value', COLUMN = 'channels';
  END IF;
  SELECT coalesce(jsonb_agg(DISTINCT c.value ORDER BY c.value), '[]') INTO channels
    FROM jsonb_array_elements(channels) AS c;
  IF currency IS NULL THEN
    SELECT e.currency INTO currency
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant_in_context AND e.event_type = 'purchase' AND e.revenue_cents > 0
       AND e.occurred_at >= coalesce(start_date::timestamp AT TIME ZONE 'UTC', '-infinity')
       AND e.occurred_at < coalesce((end_date + 1)::timestamp AT TIME ZONE 'UTC', 'infinity')
     GROUP BY e.currency
     ORDER BY count(*) DESC, e.currency
     LIMIT 1;
    currency := coalesce(currency, 'USD');
  ELSIF NOT EXISTS (SELECT 1 FROM skeldir.currencies AS c WHERE c.code = currency) THEN
    RAISE EXCEPTION 'unknown currency %', quote_literal(currency) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'currency';
  END IF;
  RETURN jsonb_build_object('start_date', start_date, 'end_date', end_date, 'model', model,
                            'currency', currency, 'channels', channels);
END
$$;

ALTER FUNCTION skeldir.llm_scope(options jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_scope_from(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_scope_from(scope jsonb) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    RETURN COALESCE(((((scope ->> 'start_date'::text))::date)::timestamp without time zone AT TIME ZONE 'UTC'::text), '-infinity'::timestamp with time zone);

ALTER FUNCTION skeldir.llm_scope_from(scope jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_scope_to(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_scope_to(scope jsonb) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    RETURN COALESCE((((((scope ->> 'end_date'::text))::date + 1))::timestamp without time zone AT TIME ZONE 'UTC'::text), 'infinity'::timestamp with time zone);

ALTER FUNCTION skeldir.llm_scope_to(scope jsonb) OWNER TO skeldir_owner;

--
-- Name: llm_tenant_model(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.llm_tenant_model() RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  capped text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM skeldir.llm_settings) THEN
    RETURN NULL;
  END IF;
  SELECT b.model INTO capped FROM skeldir.llm_budget_caps AS b WHERE b.tenant_id = tenant;
  RETURN coalesce(capped, (SELECT s.default_model FROM skeldir.llm_settings AS s));
END
$$;

ALTER FUNCTION skeldir.llm_tenant_model() OWNER TO skeldir_owner;

--
-- Name: login_failures; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.login_failures (
    id bigint NOT NULL,
    subject bytea NOT NULL,
    failed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT login_failures_subject_check CHECK ((length(subject) = 32))
);

ALTER TABLE skeldir.login_failures OWNER TO skeldir_owner;

--
-- Name: TABLE login_failures; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.login_failures IS 'Failed logins by digest of client address or email; read by api.login''s rate limits.';

--
-- Name: login_retry_after(bytea, integer, interval, timestamp with time zone); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.login_retry_after(subject bytea, max integer, "window" interval, asof timestamp with time zone) RETURNS integer
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT (GREATEST((1)::numeric, ceil(EXTRACT(epoch FROM ((f.failed_at + login_retry_after."window") - login_retry_after.asof)))))::integer AS "greatest"
    FROM skeldir.login_failures f
   WHERE ((f.subject = login_retry_after.subject) AND (f.failed_at > (login_retry_after.asof - login_retry_after."window")))
   ORDER BY f.failed_at DESC
  OFFSET (login_retry_after.max - 1)
  LIMIT 1;
END;

ALTER FUNCTION skeldir.login_retry_after(subject bytea, max integer, "window" interval, asof timestamp with time zone) OWNER TO skeldir_owner;

--
-- Name: login_subject(text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.login_subject(kind text, value text) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN sha256(convert_to(((kind || ':'::text) || COALESCE(value, ''::text)), 'UTF8'::name));

ALTER FUNCTION skeldir.login_subject(kind text, value text) OWNER TO skeldir_owner;

--
-- Name: mark_realtime_revenue_orders(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.mark_realtime_revenue_orders() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO skeldir.realtime_revenue_marks AS m (tenant_id, order_key)
  SELECT NEW.tenant_id, k.order_key
    FROM (SELECT NEW.order_id AS order_key
          UNION
          SELECT c.order_id
            FROM skeldir.revenue_ledger AS c
           WHERE NEW.state <> 'captured' AND NEW.reverses_transaction_id IS NOT NULL
             AND c.tenant_id = NEW.tenant_id AND c.vendor = NEW.vendor AND c.state = 'captured'
             AND c.transaction_id = NEW.reverses_transaction_id
          UNION
          SELECT r.order_id
            FROM skeldir.revenue_ledger AS r
           WHERE NEW.state = 'captured' AND r.tenant_id = NEW.tenant_id AND r.vendor = NEW.vendor
             AND r.state = 'refunded' AND coalesce(r.reverses_transaction_id, r.transaction_id) = NEW.transaction_id
          UNION
          SELECT r.order_id
            FROM skeldir.revenue_ledger AS r
           WHERE NEW.state = 'captured' AND r.tenant_id = NEW.tenant_id AND r.vendor = NEW.vendor
             AND r.state = 'chargeback' AND coalesce(r.reverses_transaction_id, r.transaction_id) = NEW.transaction_id) AS k
  ON CONFLICT (tenant_id, order_key) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END
$$;

ALTER FUNCTION skeldir.mark_realtime_revenue_orders() OWNER TO skeldir_owner;

--
-- Name: FUNCTION mark_realtime_revenue_orders(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.mark_realtime_revenue_orders() IS 'After a ledger insert: marks the orders whose revenue of record the row may change, for the next realtime revenue refresh.';

--
-- Name: may_hold_pii(text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.may_hold_pii(kind text, value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE kind WHEN 'email'::text THEN ((value ~~ '%@%'::text) OR (value ~~* '%\%40%'::text)) WHEN 'ip'::text THEN ((value ~~ '%.%.%.%'::text) OR (value ~~ '%::%'::text) OR (value ~~ '%:%:%:%:%:%:%:%'::text)) WHEN 'phone'::text THEN ((value ~~ '%+%'::text) OR (value ~ '[0-9]{3}'::text)) ELSE NULL::boolean END;

ALTER FUNCTION skeldir.may_hold_pii(kind text, value text) OWNER TO skeldir_owner;

--
-- Name: minor_units(jsonb, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.minor_units(amount jsonb, currency text) RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  iso text := upper(currency);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM skeldir.currencies AS c WHERE c.code = iso) THEN
    RAISE EXCEPTION 'unknown currency %', coalesce(quote_literal(currency), '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_currency';
  END IF;
  IF jsonb_typeof(amount) IS DISTINCT FROM 'number' OR amount::text !~ '^[0-9]{1,18}$' THEN
    RAISE EXCEPTION 'amount % is not a non-negative integer number of minor units', coalesce(amount::text, '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  RETURN amount::text::bigint;
END
$_$;

ALTER FUNCTION skeldir.minor_units(amount jsonb, currency text) OWNER TO skeldir_owner;

--
-- Name: mod_pow(numeric, numeric, numeric); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.mod_pow(base numeric, exponent numeric, modulus numeric) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  result numeric := 1;
  b numeric := mod(base, modulus);
  e numeric := exponent;
BEGIN
  WHILE e > 0 LOOP
    IF mod(e, 2) = 1 THEN
      result := mod(result * b, modulus);
    END IF;
    b := mod(b * b, modulus);
    e := div(e, 2);
  END LOOP;
  RETURN result;
END
$$;

ALTER FUNCTION skeldir.mod_pow(base numeric, exponent numeric, modulus numeric) OWNER TO skeldir_owner;

--
-- Name: normalize_email(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.normalize_email(email text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
DECLARE
  normalized text := lower(normalize(btrim(coalesce(email, '')), NFC));
BEGIN
  IF normalized = '' THEN
    RAISE EXCEPTION 'email is required'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'email';
  END IF;
  IF length(normalized) > 254 OR normalized !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
    RAISE EXCEPTION 'email is not a valid address'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'email';
  END IF;
  RETURN normalized;
END
$_$;

ALTER FUNCTION skeldir.normalize_email(email text) OWNER TO skeldir_owner;

--
-- Name: tenant_paypal_certificates; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.tenant_paypal_certificates (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    webhook_id text NOT NULL,
    certificate_pem text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    rsa_modulus numeric,
    rsa_exponent numeric,
    CONSTRAINT tenant_paypal_certificates_certificate_pem_check CHECK ((certificate_pem ~~ '-----BEGIN CERTIFICATE-----%'::text)),
    CONSTRAINT tenant_paypal_certificates_rsa_exponent_check CHECK ((rsa_exponent > (0)::numeric)),
    CONSTRAINT tenant_paypal_certificates_rsa_modulus_check CHECK ((rsa_modulus > (0)::numeric)),
    CONSTRAINT tenant_paypal_certificates_webhook_id_check CHECK (((length(webhook_id) >= 1) AND (length(webhook_id) <= 128)))
);

ALTER TABLE ONLY skeldir.tenant_paypal_certificates FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.tenant_paypal_certificates OWNER TO skeldir_owner;

--
-- Name: COLUMN tenant_paypal_certificates.rsa_modulus; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON COLUMN skeldir.tenant_paypal_certificates.rsa_modulus IS 'The certificate''s RSA modulus n, as a number; NULL when its key could not be read.';

--
-- Name: paypal_transmission_valid(jsonb, bytea, skeldir.tenant_paypal_certificates); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.paypal_transmission_valid(headers jsonb, body bytea, pinned skeldir.tenant_paypal_certificates) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  signature bytea;
BEGIN
  IF coalesce(lower(headers ->> 'paypal-auth-algo'), 'sha256withrsa') <> 'sha256withrsa'
     OR coalesce(headers ->> 'paypal-transmission-id', '') = ''
     OR coalesce(headers ->> 'paypal-transmission-time', '') = ''
     OR coalesce(headers ->> 'paypal-transmission-sig', '') !~ '^[A-Za-z0-9+/]+={0,2}$'
     OR length(headers ->> 'paypal-transmission-sig') % 4 <> 0 THEN
    RETURN false;
  END IF;
  signature := decode(headers ->> 'paypal-transmission-sig', 'base64');
  RETURN skeldir.rsa_sha256_valid(
    convert_to(concat_ws('|', headers ->> 'paypal-transmission-id', headers ->> 'paypal-transmission-time',
                         pinned.webhook_id, skeldir.crc32(body)), 'UTF8'),
    signature, pinned.rsa_modulus, pinned.rsa_exponent);
END
$_$;

ALTER FUNCTION skeldir.paypal_transmission_valid(headers jsonb, body bytea, pinned skeldir.tenant_paypal_certificates) OWNER TO skeldir_owner;

--
-- Name: pii_found(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.pii_found(doc jsonb) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
BEGIN
  RETURN ARRAY(
    SELECT DISTINCT x.found FROM (
      SELECT lower(k #>> '{}') AS found
        FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k
       WHERE lower(k #>> '{}') = ANY (skeldir.pii_keys())
      UNION ALL
      SELECT 'value:' || kind
        FROM (SELECT v #>> '{}' AS text
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string")') AS v
              UNION ALL
              SELECT k #>> '{}'
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k) AS s,
             unnest(CASE WHEN skeldir.pii_value(s.text) THEN skeldir.pii_kinds(s.text) END) AS kind
    ) AS x ORDER BY 1);
END
$_$;

ALTER FUNCTION skeldir.pii_found(doc jsonb) OWNER TO skeldir_owner;

--
-- Name: pii_keys(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.pii_keys() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '{email,email_address,phone,phone_number,ssn,social_security_number,ip,ip_address,first_name,last_name,full_name,address,street_address,billing_address,shipping_address,customer_email,customer_phone,receipt_email,billing,shipping,billing_details,shipping_details}'::text[];

ALTER FUNCTION skeldir.pii_keys() OWNER TO skeldir_owner;

--
-- Name: pii_pattern(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.pii_pattern(kind text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE kind WHEN 'email'::text THEN '[[:alnum:]._%+-]+(@|%40)[[:alnum:]-]+(\.[[:alnum:]-]+)*\.[[:alpha:]]{2,}'::text WHEN 'ip'::text THEN (('(?<![0-9.])((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![0-9]|\.[0-9])'::text || '|(?<![[:xdigit:]:])(([[:xdigit:]]{1,4}:){7}[[:xdigit:]]{1,4}'::text) || '|[[:xdigit:]]{1,4}(:[[:xdigit:]]{1,4}){0,6}::[[:xdigit:]]{1,4}(:[[:xdigit:]]{1,4}){0,6})(?![[:xdigit:]:])'::text) WHEN 'phone'::text THEN '\+([ .()-]{0,2}[0-9]){8,15}(?![0-9])|(?<![0-9])(\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}(?![0-9])'::text ELSE NULL::text END;

ALTER FUNCTION skeldir.pii_pattern(kind text) OWNER TO skeldir_owner;

--
-- Name: pii_kinds(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.pii_kinds(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT k.k FROM unnest('{email,ip,phone}'::text[]) k(k) WHERE (skeldir.may_hold_pii(k.k, pii_kinds.value) AND (pii_kinds.value ~ skeldir.pii_pattern(k.k))));

ALTER FUNCTION skeldir.pii_kinds(value text) OWNER TO skeldir_owner;

--
-- Name: pii_value(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.pii_value(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((skeldir.may_hold_pii('email'::text, value) AND (value ~ skeldir.pii_pattern('email'::text))) OR (skeldir.may_hold_pii('ip'::text, value) AND (value ~ skeldir.pii_pattern('ip'::text))) OR (skeldir.may_hold_pii('phone'::text, value) AND (value ~ skeldir.pii_pattern('phone'::text))));

ALTER FUNCTION skeldir.pii_value(value text) OWNER TO skeldir_owner;

--
-- Name: presented_key_hash(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.presented_key_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
  SELECT CASE WHEN current_setting('app.presented_key_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_key_hash', true), 'hex') END
$_$;

ALTER FUNCTION skeldir.presented_key_hash() OWNER TO skeldir_owner;

--
-- Name: presented_login_email(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.presented_login_email() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.presented_login_email', true), '') $$;

ALTER FUNCTION skeldir.presented_login_email() OWNER TO skeldir_owner;

--
-- Name: presented_refresh_token_hash(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.presented_refresh_token_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
  SELECT CASE WHEN current_setting('app.presented_refresh_token_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_refresh_token_hash', true), 'hex') END
$_$;

ALTER FUNCTION skeldir.presented_refresh_token_hash() OWNER TO skeldir_owner;

--
-- Name: presented_webhook_token_hash(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.presented_webhook_token_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
  SELECT CASE WHEN current_setting('app.presented_webhook_token_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_webhook_token_hash', true), 'hex') END
$_$;

ALTER FUNCTION skeldir.presented_webhook_token_hash() OWNER TO skeldir_owner;

--
-- Name: project(jsonb, jsonb, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.project(shape jsonb, doc jsonb, path text DEFAULT '$'::text, OUT kept jsonb, OUT dropped text[]) RETURNS record
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $_$
DECLARE
  doc_type text := jsonb_typeof(doc);
  attrs jsonb := shape -> '$attributes';
  nested text[];
  gone text[];
  member text;
  child record;
BEGIN
  dropped := '{}';
  IF doc IS NULL OR doc_type = 'null' THEN
    kept := doc;
  ELSIF jsonb_typeof(shape) IN ('boolean', 'string') THEN
    IF doc_type IN ('object', 'array') THEN
      dropped := ARRAY[path];
    ELSIF doc_type = 'string' THEN
      kept := to_jsonb(CASE WHEN shape = '"url"' THEN skeldir.clean_url(doc #>> '{}')
                            ELSE skeldir.redact_pii(doc #>> '{}') END);
    ELSE
      kept := doc;
    END IF;
  ELSIF jsonb_typeof(shape) = 'array' THEN
    IF doc_type <> 'array' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    WITH part AS (
      SELECT skeldir.project(shape -> 0, a.value, path || '[*]') AS p, a.n
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(value, n)
    )
    SELECT coalesce(jsonb_agg((part.p).kept ORDER BY part.n) FILTER (WHERE (part.p).kept IS NOT NULL), '[]'),
           ARRAY(SELECT DISTINCT d FROM part AS q, unnest((q.p).dropped) AS d)
      INTO kept, dropped
      FROM part;
  ELSIF attrs IS NOT NULL THEN
    IF doc_type <> 'array' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    WITH entry AS (
      SELECT a.n, a.value ->> (attrs ->> 'key') AS name, attrs -> 'keep' -> (a.value ->> (attrs ->> 'key')) AS s,
             a.value -> (attrs ->> 'value') AS value
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(value, n)
    ),
    part AS (
      SELECT e.n, e.name, skeldir.project(e.s, e.value, format('%s[%s]', path, e.name)) AS p
        FROM entry AS e WHERE e.s IS NOT NULL
    )
    SELECT coalesce((SELECT jsonb_agg(jsonb_build_object(attrs ->> 'key', q.name, attrs ->> 'value', (q.p).kept)
                                      ORDER BY q.n)
                       FROM part AS q WHERE (q.p).kept IS NOT NULL), '[]'),
           ARRAY(SELECT DISTINCT format('%s[%s]', path, skeldir.redacted_key(e.name)) FROM entry AS e WHERE e.s IS NULL)
             || ARRAY(SELECT d FROM part AS q, unnest((q.p).dropped) AS d)
      INTO kept, dropped;
  ELSE
    IF doc_type <> 'object' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    -- The members the shape does not name are dropped (their paths sorted by
    -- key), and the object without them is what is kept, but for the
    -- members that need more, visited in the members' order: a container
    -- where the shape keeps a scalar is dropped, one the shape describes is
    -- projected by a call, a string the shape calls a URL is cleaned, and a
    -- string holding personal data is redacted. Other scalars and JSON
    -- nulls are kept as they are.
    SELECT coalesce(array_agg(k ORDER BY k), '{}') INTO gone FROM jsonb_object_keys(doc) AS k WHERE NOT coalesce(shape ? k, false);
    dropped := ARRAY(SELECT path || '.' || CASE WHEN k ~ '[@%.:+0-9]' THEN skeldir.redacted_key(k) ELSE left(k, 100) END
                       FROM unnest(gone) AS k);
    kept := doc - gone;
    SELECT array_agg(e.key ORDER BY e.n) INTO nested
      FROM jsonb_each(kept) WITH ORDINALITY AS e(key, value, n)
     WHERE jsonb_typeof(e.value) <> 'null'
       AND CASE WHEN jsonb_typeof(shape -> e.key) NOT IN ('boolean', 'string') THEN true
                WHEN jsonb_typeof(e.value) IN ('object', 'array') THEN true
                WHEN jsonb_typeof(e.value) = 'string'
                  THEN shape -> e.key = '"url"'
                       OR (e.value #>> '{}') ~ '[@%.:+0-9]' AND skeldir.pii_value(e.value #>> '{}')
                ELSE false END;
    FOREACH member IN ARRAY coalesce(nested, '{}') LOOP
      IF jsonb_typeof(shape -> member) NOT IN ('boolean', 'string') THEN
        child := skeldir.project(shape -> member, kept -> member, path || '.' || member);
        kept := CASE WHEN child.kept IS NULL THEN kept - member ELSE kept || jsonb_build_object(member, child.kept) END;
        dropped := dropped || child.dropped;
      ELSIF jsonb_typeof(kept -> member) = 'string' THEN
        kept := kept || jsonb_build_object(member,
          CASE WHEN shape -> member = '"url"' THEN skeldir.clean_url(kept ->> member) ELSE skeldir.redact_pii(kept ->> member) END);
      ELSE
        kept := kept - member;
        dropped := dropped || (path || '.' || member);
      END IF;
    END LOOP;
  END IF;
END
$_$;

ALTER FUNCTION skeldir.project(shape jsonb, doc jsonb, path text, OUT kept jsonb, OUT dropped text[]) OWNER TO skeldir_owner;

--
-- Name: project_payload(skeldir.vendor, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.project_payload(vendor skeldir.vendor, doc jsonb, OUT kept jsonb, OUT dropped text[]) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  p record;
BEGIN
  p := skeldir.project((SELECT s.shape FROM skeldir.payload_projections AS s WHERE s.vendor = project_payload.vendor),
                       doc);
  kept := p.kept;
  dropped := p.dropped[1:500];
END
$$;

ALTER FUNCTION skeldir.project_payload(vendor skeldir.vendor, doc jsonb, OUT kept jsonb, OUT dropped text[]) OWNER TO skeldir_owner;

--
-- Name: retention_rules; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.retention_rules (
    name text NOT NULL,
    table_name regclass NOT NULL,
    age_column name NOT NULL,
    keep interval NOT NULL,
    status_column name,
    statuses text[],
    batch_size integer DEFAULT 1000 NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    CONSTRAINT retention_rules_batch_size_check CHECK (((batch_size >= 1) AND (batch_size <= 100000))),
    CONSTRAINT retention_rules_check CHECK (((status_column IS NULL) = (statuses IS NULL))),
    CONSTRAINT retention_rules_keep_check CHECK ((keep >= '1 day'::interval)),
    CONSTRAINT retention_rules_name_check CHECK ((name ~ '^[a-z_]+$'::text)),
    CONSTRAINT retention_rules_statuses_check CHECK ((cardinality(statuses) > 0))
);

ALTER TABLE skeldir.retention_rules OWNER TO skeldir_owner;

--
-- Name: TABLE retention_rules; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.retention_rules IS 'What housekeeping.retention prunes from each tenant: rows of table_name older than keep (by age_column), optionally only in statuses.';

--
-- Name: prune_batch(skeldir.retention_rules); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.prune_batch(rule skeldir.retention_rules) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
DECLARE
  deleted bigint;
BEGIN
  EXECUTE format($q$
    DELETE FROM %1$s AS x
     WHERE x.tenant_id = $4
       AND x.ctid = ANY (ARRAY(SELECT y.ctid FROM %1$s AS y
                                WHERE y.tenant_id = $4 AND y.%2$I < $1 %3$s
                                LIMIT $3 FOR UPDATE SKIP LOCKED))
  $q$, rule.table_name, rule.age_column,
       CASE WHEN rule.status_column IS NOT NULL THEN format('AND y.%I::text = ANY ($2)', rule.status_column) ELSE '' END)
    USING now() - rule.keep, rule.statuses, rule.batch_size, skeldir.current_tenant_id();
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$_$;

ALTER FUNCTION skeldir.prune_batch(rule skeldir.retention_rules) OWNER TO skeldir_owner;

--
-- Name: webhook_topics; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.webhook_topics (
    vendor skeldir.vendor NOT NULL,
    topic text NOT NULL,
    paths text[] NOT NULL,
    key_name text NOT NULL,
    event_type skeldir.event_type NOT NULL,
    ledger_state skeldir.ledger_state,
    CONSTRAINT webhook_topics_key_name_check CHECK ((key_name ~ '^[a-z_]+$'::text))
);

ALTER TABLE skeldir.webhook_topics OWNER TO skeldir_owner;

--
-- Name: TABLE webhook_topics; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.webhook_topics IS 'Supported webhook topics per vendor, their paths, idempotency-key names, event types and ledger states.';

--
-- Name: read_delivery(skeldir.webhook_topics, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_delivery(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  d skeldir.delivery;
BEGIN
  IF jsonb_typeof(doc) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('invalid_shape', 'payload is not a JSON object');
  END IF;
  d := CASE topic.vendor
         WHEN 'shopify' THEN skeldir.read_shopify(topic, doc)
         WHEN 'stripe' THEN skeldir.read_stripe(topic, doc)
         WHEN 'paypal' THEN skeldir.read_paypal(topic, doc)
         WHEN 'woocommerce' THEN skeldir.read_woocommerce(topic, doc)
       END;
  IF greatest(length(d.external_id), length(d.order_id), length(d.transaction_id), length(d.session_id),
              length(d.utm_source), length(d.utm_medium), length(d.reverses_transaction_id),
              (SELECT max(length(m.transaction_id)) FROM unnest(d.movements) AS m)) > 255
     OR length(d.referrer) > 2048 THEN
    PERFORM skeldir.unusable('invalid_field', 'an identifier is longer than 255 characters (a referrer, 2048)');
  END IF;
  d.currency := upper(d.currency);
  d.occurred_at := coalesce(d.occurred_at, now());
  RETURN d;
END
$$;

ALTER FUNCTION skeldir.read_delivery(topic skeldir.webhook_topics, doc jsonb) OWNER TO skeldir_owner;

--
-- Name: read_paypal(skeldir.webhook_topics, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_paypal(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  d skeldir.delivery;
  r jsonb := doc -> 'resource';
  refunded text;
  status text;
BEGIN
  IF jsonb_typeof(r) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('missing_field', 'required field resource is missing or not an object');
  END IF;
  d.external_id := skeldir.required(r, 'id');
  d.currency := coalesce(r #>> '{amount,currency}', r #>> '{amount,currency_code}');
  d.revenue_cents := skeldir.to_minor_units(coalesce(r #> '{amount,total}', r #> '{amount,value}'), d.currency);
  IF topic.event_type = 'refund' THEN
    refunded := coalesce(nullif(r ->> 'sale_id', ''), nullif(r ->> 'capture_id', ''),
                         (SELECT substring(l ->> 'href' FROM '/(?:captures|sale)/([^/?]+)$')
                            FROM jsonb_array_elements(CASE jsonb_typeof(r -> 'links') WHEN 'array' THEN r -> 'links' ELSE '[]' END) AS l
                           WHERE l ->> 'rel' = 'up' LIMIT 1));
    d.reverses_transaction_id := refunded;
  END IF;
  d.order_id := coalesce(nullif(r ->> 'invoice_id', ''), refunded, d.external_id);
  d.transaction_id := d.external_id;
  d.ledger_state := topic.ledger_state;
  d.occurred_at := coalesce(skeldir.utc_time(r -> 'create_time'), skeldir.utc_time(doc -> 'create_time'));
  d.session_id := nullif(coalesce(r ->> 'custom_id', r ->> 'custom'), '');

  status := upper(coalesce(r ->> 'status', r ->> 'state', 'COMPLETED'));
  IF d.ledger_state IS NOT NULL AND status <> 'COMPLETED' THEN
    d.ledger_state := NULL;
    IF topic.event_type = 'purchase' THEN
      d.event_type := 'order_update';
    END IF;
  END IF;
  RETURN d;
END
$_$;

ALTER FUNCTION skeldir.read_paypal(topic skeldir.webhook_topics, doc jsonb) OWNER TO skeldir_owner;

--
-- Name: read_shopify(skeldir.webhook_topics, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_shopify(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  d skeldir.delivery;
  notes jsonb := doc -> 'note_attributes';
  refund_lines jsonb;
BEGIN
  d.occurred_at := coalesce(skeldir.utc_time(doc -> 'created_at'), skeldir.utc_time(doc -> 'processed_at'));
  d.session_id := skeldir.attribute(notes, 'name', 'value', 'skeldir_session_id', 'session_id');
  d.utm_source := coalesce(skeldir.attribute(notes, 'name', 'value', 'utm_source'),
                           skeldir.url_param(doc ->> 'landing_site', 'utm_source'));
  d.utm_medium := coalesce(skeldir.attribute(notes, 'name', 'value', 'utm_medium'),
                           skeldir.url_param(doc ->> 'landing_site', 'utm_medium'));
  d.referrer := nullif(btrim(doc ->> 'referring_site'), '');
  d.ledger_state := topic.ledger_state;

  CASE topic.event_type
  WHEN 'refund' THEN
    d.external_id := skeldir.required(doc, 'id');
    d.order_id := skeldir.required(doc, 'order_id');
    d.transaction_id := d.external_id;
    d.reverses_transaction_id := d.order_id;
    refund_lines := coalesce(jsonb_path_query_array(doc,
      '$.transactions[*] ? ((!exists(@.kind) || @.kind == "refund") && (!exists(@.status) || @.status == "success"))'), '[]');
    IF jsonb_array_length(refund_lines) = 0 THEN
      PERFORM skeldir.unusable('invalid_amount', 'refund carries no successful refund transactions');
    END IF;
    d.currency := coalesce(refund_lines -> 0 ->> 'currency', doc ->> 'currency');
    SELECT sum(skeldir.to_minor_units(t -> 'amount', d.currency)) INTO d.revenue_cents
      FROM jsonb_array_elements(refund_lines) AS t;
  WHEN 'checkout' THEN
    d.external_id := skeldir.required(doc, 'token');
    d.order_id := doc ->> 'order_id';
    d.currency := doc ->> 'currency';
    d.revenue_cents := skeldir.to_minor_units(doc -> 'total_price', d.currency);
  ELSE
    d.external_id := skeldir.required(doc, 'id');
    d.order_id := d.external_id;
    d.transaction_id := d.external_id;
    d.currency := coalesce(doc ->> 'currency', doc ->> 'presentment_currency');
    d.revenue_cents := skeldir.to_minor_units(doc -> 'total_price', d.currency);
    IF doc ->> 'financial_status' IN ('pending', 'authorized', 'voided') THEN
      d.event_type := 'order_update';
      d.ledger_state := NULL;
    END IF;
  END CASE;
  RETURN d;
END
$_$;

ALTER FUNCTION skeldir.read_shopify(topic skeldir.webhook_topics, doc jsonb) OWNER TO skeldir_owner;

--
-- Name: read_stripe(skeldir.webhook_topics, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_stripe(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  d skeldir.delivery;
  obj jsonb := doc #> '{data,object}';
  meta jsonb := doc #> '{data,object,metadata}';
  refunds jsonb;
BEGIN
  IF jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('missing_field', 'required field data.object is missing or not an object');
  END IF;
  d.external_id := skeldir.required(obj, 'id');
  d.currency := upper(obj ->> 'currency');
  d.revenue_cents := skeldir.minor_units(
    CASE WHEN topic.topic = 'charge.refunded' AND obj ? 'amount_refunded' THEN obj -> 'amount_refunded'
         WHEN topic.topic = 'payment_intent.succeeded' AND obj ? 'amount_received' THEN obj -> 'amount_received'
         WHEN topic.topic = 'charge.captured' AND obj ? 'amount_captured' THEN obj -> 'amount_captured'
         ELSE obj -> 'amount' END,
    d.currency);
  d.transaction_id := CASE WHEN obj ->> 'object' = 'payment_intent' OR d.external_id LIKE 'pi\_%'
                           THEN d.external_id
                           ELSE coalesce(nullif(obj ->> 'payment_intent', ''), d.external_id) END;
  d.order_id := coalesce(nullif(meta ->> 'order_id', ''), d.transaction_id);
  d.ledger_state := topic.ledger_state;
  d.occurred_at := coalesce(skeldir.utc_time(obj -> 'created'), skeldir.utc_time(doc -> 'created'));
  d.session_id := nullif(meta ->> 'skeldir_session_id', '');
  d.utm_source := nullif(meta ->> 'utm_source', '');
  d.utm_medium := nullif(meta ->> 'utm_medium', '');
  d.referrer := nullif(meta ->> 'referrer', '');

  IF topic.event_type = 'purchase'
     AND (obj -> 'captured' = 'false' OR coalesce(obj ->> 'status', 'succeeded') <> 'succeeded') THEN
    d.event_type := 'order_update';
    d.ledger_state := NULL;
  ELSIF topic.topic = 'charge.refunded' THEN
    refunds := CASE jsonb_typeof(obj #> '{refunds,data}') WHEN 'array' THEN obj #> '{refunds,data}' ELSE '[]' END;
    d.reverses_transaction_id := d.transaction_id;
    d.refund_cap_cents := d.revenue_cents;
    -- The refund's own time: the newest refund listed, else the event's.
    d.occurred_at := coalesce((SELECT max(skeldir.utc_time(r -> 'created')) FROM jsonb_array_elements(refunds) AS r),
                              skeldir.utc_time(doc -> 'created'), d.occurred_at);
    d.movements := ARRAY(
      SELECT ROW(skeldir.required(r, 'id'), 'refunded', skeldir.minor_units(r -> 'amount', d.currency),
                 coalesce(skeldir.utc_time(r -> 'created'), d.occurred_at))::skeldir.money_movement
        FROM jsonb_array_elements(refunds) WITH ORDINALITY AS e(r, n)
       WHERE coalesce(r ->> 'status', 'succeeded') IN ('succeeded', 'pending')
       ORDER BY skeldir.utc_time(r -> 'created'), n)
      || ROW(d.transaction_id || '/refunded/' || d.revenue_cents, 'refunded', d.revenue_cents,
             coalesce(skeldir.utc_time(doc -> 'created'), d.occurred_at))::skeldir.money_movement;
  END IF;
  RETURN d;
END
$$;

ALTER FUNCTION skeldir.read_stripe(topic skeldir.webhook_topics, doc jsonb) OWNER TO skeldir_owner;

--
-- Name: read_webhook(skeldir.vendor, text, text, bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea, OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery, OUT payload jsonb, OUT pii_paths text[], OUT error_type text, OUT error_message text) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  doc jsonb;
  projected record;
BEGIN
  BEGIN
    doc := convert_from(body, 'UTF8')::jsonb;
    projected := skeldir.project_payload(vendor, doc);
    payload := projected.kept;
    pii_paths := projected.dropped;
    topic_name := coalesce(topic_hint, CASE vendor WHEN 'stripe' THEN payload ->> 'type'
                                                   WHEN 'paypal' THEN payload ->> 'event_type' END);
    SELECT * INTO topic FROM skeldir.webhook_topics AS t
     WHERE t.vendor = read_webhook.vendor AND t.topic = topic_name;
    IF NOT FOUND THEN
      PERFORM skeldir.unusable('unsupported_topic', format('%s topic %s is not supported', vendor,
                                                           coalesce(quote_literal(left(topic_name, 100)), '(none)')));
    END IF;
    IF length(idempotency_header) > 255 THEN
      PERFORM skeldir.unusable('invalid_idempotency_key', 'the delivery id or X-Idempotency-Key is longer than 255 characters');
    END IF;
    IF skeldir.pii_value(idempotency_header) THEN
      PERFORM skeldir.unusable('invalid_idempotency_key', 'the delivery id or X-Idempotency-Key holds personal data');
    END IF;
    d := skeldir.read_delivery(topic, payload);
  EXCEPTION
    WHEN SQLSTATE 'SK422' THEN
      GET STACKED DIAGNOSTICS error_message = MESSAGE_TEXT, error_type = PG_EXCEPTION_DETAIL;
    WHEN character_not_in_repertoire THEN
      error_type := 'invalid_utf8';
      error_message := 'body is not valid UTF-8 text';
    WHEN data_exception OR program_limit_exceeded THEN
      error_type := CASE WHEN doc IS NULL THEN 'malformed_json' ELSE 'invalid_payload' END;
      GET STACKED DIAGNOSTICS error_message = MESSAGE_TEXT;
  END;
  topic_name := coalesce(topic_name, topic_hint);
  pii_paths := coalesce(pii_paths, '{}');
  IF error_type IS NOT NULL THEN
    topic := NULL;
    d := NULL;
  END IF;
END
$$;

ALTER FUNCTION skeldir.read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea, OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery, OUT payload jsonb, OUT pii_paths text[], OUT error_type text, OUT error_message text) OWNER TO skeldir_owner;

--
-- Name: read_woocommerce(skeldir.webhook_topics, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.read_woocommerce(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  d skeldir.delivery;
  meta jsonb := doc -> 'meta_data';
  refunds jsonb := CASE jsonb_typeof(doc -> 'refunds') WHEN 'array' THEN doc -> 'refunds' ELSE '[]' END;
  status text := doc ->> 'status';
  paid boolean;
  paid_at timestamptz;
  modified_at timestamptz;
  refunded bigint;
BEGIN
  d.external_id := skeldir.required(doc, 'id');
  d.order_id := d.external_id;
  d.transaction_id := d.external_id;
  d.currency := doc ->> 'currency';
  d.revenue_cents := skeldir.to_minor_units(doc -> 'total', d.currency);
  d.occurred_at := coalesce(skeldir.utc_time(doc -> 'date_created_gmt'), skeldir.utc_time(doc -> 'date_created'));
  d.session_id := skeldir.attribute(meta, 'key', 'value', 'skeldir_session_id', 'session_id');
  d.utm_source := skeldir.attribute(meta, 'key', 'value', 'utm_source', '_wc_order_attribution_utm_source');
  d.utm_medium := skeldir.attribute(meta, 'key', 'value', 'utm_medium', '_wc_order_attribution_utm_medium');
  d.referrer := skeldir.attribute(meta, 'key', 'value', 'referrer', '_wc_order_attribution_referrer');

  -- Without a status (the seed's shape) the topic says what happened.
  paid := CASE WHEN status IS NULL THEN topic.ledger_state IS NOT NULL
               ELSE status IN ('processing', 'completed', 'refunded') END;
  paid_at := coalesce(skeldir.utc_time(doc -> 'date_paid_gmt'), skeldir.utc_time(doc -> 'date_paid'), d.occurred_at);
  modified_at := coalesce(skeldir.utc_time(doc -> 'date_modified_gmt'), skeldir.utc_time(doc -> 'date_modified'),
                          d.occurred_at);
  d.event_type := CASE WHEN topic.event_type = 'refund' OR status = 'refunded' THEN 'refund'
                       WHEN NOT paid THEN 'order_update'
                       ELSE 'purchase' END;
  d.ledger_state := NULL;
  d.reverses_transaction_id := d.transaction_id;
  d.refund_cap_cents := d.revenue_cents;
  -- WooCommerce lists refund totals as negative numbers ("-10.00"); an
  -- explicit amount must be given as the positive sum it is.
  d.movements := ARRAY(
      SELECT ROW(d.transaction_id, 'captured', d.revenue_cents, paid_at)::skeldir.money_movement WHERE paid)
    || ARRAY(
      SELECT ROW(skeldir.required(r, 'id'), 'refunded',
                 CASE WHEN r ? 'amount' THEN skeldir.to_minor_units(r -> 'amount', d.currency)
                      ELSE skeldir.to_minor_units(to_jsonb(ltrim(r ->> 'total', '-')), d.currency) END,
                 modified_at)::skeldir.money_movement
        FROM jsonb_array_elements(refunds) WITH ORDINALITY AS e(r, n)
       WHERE paid
       ORDER BY n)
    || ARRAY(
      SELECT ROW(d.transaction_id || '/refunded', 'refunded', d.revenue_cents, modified_at)::skeldir.money_movement
       WHERE paid AND (status = 'refunded' OR (status IS NULL AND topic.event_type = 'refund'))
         AND jsonb_array_length(refunds) = 0);
  IF d.event_type = 'refund' THEN
    d.occurred_at := modified_at;
    SELECT coalesce(sum(m.amount_cents), 0) INTO refunded FROM unnest(d.movements) AS m WHERE m.state = 'refunded';
    d.revenue_cents := least(refunded, d.revenue_cents);
  END IF;
  RETURN d;
END
$$;

ALTER FUNCTION skeldir.read_woocommerce(topic skeldir.webhook_topics, doc jsonb) OWNER TO skeldir_owner;

--
-- Name: reap_expired_leases(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reap_expired_leases() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  reaped integer := 0;
  orphan record;
BEGIN
  FOR orphan IN SELECT x.id, x.leased_until < now() AS lease_ran_out
                  FROM skeldir.jobs AS x
                 WHERE x.state = 'running'
                   AND (x.leased_until < now()
                        OR NOT EXISTS (SELECT 1 FROM skeldir.dispatchers AS d
                                        WHERE d.id = x.leased_by AND d.expires_at > now()))
                   FOR UPDATE OF x SKIP LOCKED LOOP
    IF orphan.lease_ran_out THEN
      PERFORM skeldir.settle_failure(orphan.id, 'lease_expired', 'the lease expired: its dispatcher stopped');
    ELSE
      PERFORM skeldir.settle_failure(orphan.id, 'dispatcher_gone',
                                     'its dispatcher stopped beating before the lease expired');
    END IF;
    reaped := reaped + 1;
  END LOOP;
  DELETE FROM skeldir.dispatchers AS d
   WHERE d.expires_at < now() - interval '1 hour'
     AND NOT EXISTS (SELECT 1 FROM skeldir.jobs AS x WHERE x.state = 'running' AND x.leased_by = d.id);
  RETURN reaped;
END
$$;

ALTER FUNCTION skeldir.reap_expired_leases() OWNER TO skeldir_owner;

--
-- Name: recompute_attribution(timestamp with time zone, timestamp with time zone, text, bigint); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text DEFAULT 'recompute requested'::text, job_id bigint DEFAULT NULL::bigint) RETURNS bigint
    LANGUAGE plpgsql
    SET jit TO 'off'
    SET max_parallel_workers_per_gather TO '0'
    SET work_mem TO '128MB'
    SET plan_cache_mode TO 'force_custom_plan'
    SET enable_hashagg TO 'off'
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  long boolean := window_end >= window_start + interval '30 days';
  seen record;
  changes bigint;
  this_definition text;
  this_system bigint;
  since xid8;        -- the best mark of a window holding this one
  upto xid8;         -- what this recompute will have seen
  affected uuid[];   -- the purchases (events) to compute; NULL: every one of the window
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'recompute_attribution needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Recomputes of one tenant take turns (skeldir.turns), so two that overlap
  -- never both insert a purchase's rows; the statement after the turn sees
  -- what the previous holder committed.
  PERFORM skeldir.take_turns('recompute_attribution/' || tenant);

  IF long THEN
    SELECT (SELECT count(*) FROM skeldir.attribution_events AS e
             WHERE e.tenant_id = tenant
               AND e.occurred_at >= window_start - interval '30 days' AND e.occurred_at < window_end) AS events,
           (SELECT count(*) FROM skeldir.attribution_events AS e
             WHERE e.tenant_id = tenant AND e.order_id IS NOT NULL) AS order_events,
           (SELECT md5(p.prosrc) FROM pg_proc AS p
             WHERE p.oid = 'skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint)'::regprocedure)
             AS definition,
           EXISTS (SELECT 1 FROM skeldir.attribution_credits AS c
                    WHERE c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end)
             AS credited
      INTO seen;
    IF EXISTS (SELECT 1 FROM skeldir.attribution_recomputes AS r
                WHERE r.tenant_id = tenant AND r.window_start = recompute_attribution.window_start
                  AND r.window_end = recompute_attribution.window_end
                  AND (r.events, r.order_events, r.definition, r.credited)
                    = (seen.events, seen.order_events, seen.definition, seen.credited)) THEN
      RETURN 0;
    END IF;
  END IF;

  -- Marks (skeldir.attribution_marks): the xmin of this statement's
  -- snapshot, lowered to this transaction's id when it has one (its own
  -- events are visible to it but are not below the xmin), taken before
  -- computing: every event committed below it is visible to the computing
  -- statement. With a mark of a window holding this one, only the
  -- purchases that events arrived since (at or above the mark) can reach
  -- are computed: those of the orders of such events, those of their
  -- sessions dated in the 30 days after them (31: a superset whatever the
  -- session's time zone does to day arithmetic), and those events
  -- themselves; every other purchase of the window has, by the mark, the
  -- credits it would get. Over 1,000 such events, the window is computed
  -- whole (it reads less than looking each one up).
  this_definition := (SELECT md5(p.prosrc) FROM pg_proc AS p
                  WHERE p.oid = 'skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint)'::regprocedure);
  this_system := (pg_control_system()).system_identifier;
  upto := least(pg_snapshot_xmin(pg_current_snapshot()), pg_current_xact_id_if_assigned());
  since := (SELECT max(m.seen) FROM skeldir.attribution_marks AS m
             WHERE m.tenant_id = tenant AND m.window_start <= recompute_attribution.window_start
               AND m.window_end >= recompute_attribution.window_end
               AND m.definition = this_definition AND m.system = this_system);
  IF since IS NOT NULL THEN
    WITH arrived AS MATERIALIZED (
      SELECT e.id, e.event_type, e.order_id, e.session_id, e.occurred_at
        FROM skeldir.attribution_events AS e
       WHERE e.tenant_id = tenant AND e.arrived_xid >= since
       -- (in the index's order: whatever the statistics, the index is read)
       ORDER BY e.arrived_xid
       LIMIT 1001
    )
    SELECT CASE WHEN (SELECT count(*) FROM arrived) <= 1000 THEN
             ARRAY(SELECT DISTINCT r.id
                     FROM arrived AS a
                    CROSS JOIN LATERAL (
                      SELECT p.id FROM skeldir.attribution_events AS p
                       WHERE p.tenant_id = tenant AND p.order_id = a.order_id AND p.event_type = 'purchase'
                         AND p.occurred_at >= window_start AND p.occurred_at < window_end
                      UNION ALL
                      SELECT p.id FROM skeldir.attribution_events AS p
                       WHERE a.event_type <> 'refund'
                         AND p.tenant_id = tenant AND p.session_id = a.session_id AND p.event_type = 'purchase'
                         AND p.occurred_at BETWEEN a.occurred_at AND a.occurred_at + interval '31 days'
                         AND p.occurred_at >= window_start AND p.occurred_at < window_end
                      UNION ALL
                      SELECT a.id
                       WHERE a.event_type = 'purchase' AND a.occurred_at >= window_start AND a.occurred_at < window_end
                    ) AS r)
           END
      INTO affected;
  END IF;

  IF affected = '{}' THEN
    changes := 0;
  ELSE
  -- The write is the recompute's own: it keeps the tenant's marks
  -- (skeldir.forget_attribution_recomputes).
  EXECUTE format('SET LOCAL skeldir.attribution_writer = %L', tenant);

  WITH purchase AS MATERIALIZED (
    SELECT p.id, p.session_id, p.occurred_at, p.revenue_cents, p.currency, p.channel
      FROM skeldir.attribution_events AS p
     WHERE p.tenant_id = tenant AND p.event_type = 'purchase' AND p.revenue_cents > 0
       AND p.occurred_at >= window_start AND p.occurred_at < window_end
       AND (affected IS NULL OR p.id = ANY (affected))
       -- An order is one purchase however many webhooks announce it
       -- (orders/create and orders/paid; a shop's order and the processor's
       -- charge for it). The one attributed is the event that carries the
       -- customer's context: one with a session first, then a shop's
       -- (Shopify, WooCommerce) before a processor's, then the earliest. A
       -- processor's charge a few seconds before the shop's order must not
       -- take the credit away from the session that led to it.
       AND NOT EXISTS (SELECT 1 FROM skeldir.attribution_events AS q
                        WHERE q.tenant_id = tenant AND q.order_id = p.order_id AND q.event_type = 'purchase'
                          AND q.revenue_cents > 0
                          AND (q.session_id IS NULL, q.vendor NOT IN ('shopify', 'woocommerce'), q.occurred_at, q.id)
                            < (p.session_id IS NULL, p.vendor NOT IN ('shopify', 'woocommerce'), p.occurred_at, p.id))
  ),
  -- A purchase's touches: the events of its session within the 30 days up to
  -- it, refunds excluded (a refund is no marketing touch), and the order
  -- events of one order (orders/create then orders/paid, a shop's order and
  -- its charge) one touch, the one ranked first as purchases are ranked above
  -- (for the purchase's own order: the purchase itself); a checkout or a
  -- visit is a touch of its own (skeldir.touch_key, as two keys).
  session_touch AS (
    SELECT DISTINCT ON (p.id, k.order_key, k.event_key)
           p.id AS purchase_id, t.channel COLLATE "C" AS channel, t.occurred_at,
           power(2::float8, -extract(epoch FROM p.occurred_at - t.occurred_at)::float8 / 604800) AS decay
      FROM purchase AS p
      JOIN skeldir.attribution_events AS t
        ON t.tenant_id = tenant AND t.session_id = p.session_id AND t.event_type <> 'refund'
       AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
     CROSS JOIN LATERAL (
       SELECT CASE WHEN t.event_type IN ('purchase', 'order_update') AND t.order_id IS NOT NULL
                   THEN t.order_id END COLLATE "C" AS order_key,
              CASE WHEN t.event_type IN ('purchase', 'order_update') AND t.order_id IS NOT NULL
                   THEN NULL ELSE t.id END AS event_key) AS k
     ORDER BY p.id, k.order_key, k.event_key, t.vendor NOT IN ('shopify', 'woocommerce'), t.occurred_at, t.id
  ),
  -- A purchase without a session is its own single touch.
  per_channel AS (
    SELECT s.purchase_id, s.channel, count(*) AS touches, sum(s.decay) AS decay,
           min(s.occurred_at) AS first_at, max(s.occurred_at) AS last_at
      FROM session_touch AS s
     GROUP BY s.purchase_id, s.channel
    UNION ALL
    SELECT p.id, p.channel COLLATE "C", 1, 1, p.occurred_at, p.occurred_at FROM purchase AS p WHERE p.session_id IS NULL
  ),
  -- Per purchase, over its channels in code order: the totals of the path,
  -- direct traffic as GA4 counts it (a direct touch counts only on a path
  -- where every touch is direct: the totals of the other channels when
  -- there are any, else of direct alone).
  whole AS (
    SELECT c.purchase_id, c.channel, c.touches, c.decay, c.first_at, c.last_at,
           count(*) FILTER (WHERE c.channel <> 'direct') OVER w AS others,
           sum(c.touches) FILTER (WHERE c.channel <> 'direct') OVER w AS others_touches,
           sum(c.touches) OVER w AS all_touches,
           sum(c.decay) FILTER (WHERE c.channel <> 'direct') OVER w AS others_decay,
           sum(c.decay) OVER w AS all_decay,
           min(c.first_at) FILTER (WHERE c.channel <> 'direct') OVER w AS others_first,
           min(c.first_at) OVER w AS all_first,
           max(c.last_at) FILTER (WHERE c.channel <> 'direct') OVER w AS others_last,
           max(c.last_at) OVER w AS all_last
      FROM per_channel AS c
    WINDOW w AS (PARTITION BY c.purchase_id ORDER BY c.channel ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  share AS (
    SELECT s.purchase_id, s.channel, p.revenue_cents AS revenue, p.currency, p.occurred_at, s.touches, s.all_touches,
           s.decay_ratio, s.earliest, s.latest,
           p.revenue_cents * s.touches / s.all_touches AS linear_base,
           p.revenue_cents * s.touches % s.all_touches AS linear_rest,
           floor(p.revenue_cents * s.decay_ratio)::bigint AS decay_base,
           p.revenue_cents * s.decay_ratio - floor(p.revenue_cents * s.decay_ratio) AS decay_rest
      FROM (SELECT s.purchase_id, s.channel, s.touches,
                   (CASE WHEN s.others > 0 THEN s.others_touches ELSE s.all_touches END)::bigint AS all_touches,
                   s.decay / CASE WHEN s.others > 0 THEN s.others_decay ELSE s.all_decay END AS decay_ratio,
                   s.first_at = CASE WHEN s.others > 0 THEN s.others_first ELSE s.all_first END AS earliest,
                   s.last_at = CASE WHEN s.others > 0 THEN s.others_last ELSE s.all_last END AS latest
              FROM whole AS s
             WHERE s.channel <> 'direct' OR s.others = 0) AS s
      JOIN purchase AS p ON p.id = s.purchase_id
  ),
  -- Largest remainder, one ordering per model: a channel's share rounded
  -- down, plus a cent for each of the channels with the largest remainders
  -- (ties to the lower code) until the purchase's revenue is reached. First
  -- and last touch without sorting again: among the channels touching at the
  -- earliest (latest) instant, the lowest code.
  ranked AS (
    SELECT s.*,
           s.linear_base + (row_number() OVER lin <= s.revenue - sum(s.linear_base) OVER lin)::int AS linear_cents,
           s.decay_base + (row_number() OVER dec <= s.revenue - sum(s.decay_base) OVER dec)::int AS time_decay_cents,
           s.earliest AND s.channel = min(s.channel) FILTER (WHERE s.earliest) OVER lin AS is_first,
           s.latest AND s.channel = min(s.channel) FILTER (WHERE s.latest) OVER lin AS is_last
      FROM share AS s
    WINDOW lin AS (PARTITION BY s.purchase_id ORDER BY s.linear_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
           dec AS (PARTITION BY s.purchase_id ORDER BY s.decay_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  -- Position based, in whole weights: of n touches, one takes 1 of 1, two
  -- take 1 of 2 each, and from three on the first and the last take 4(n-2)
  -- each and every touch between 2, of 10(n-2): 40 %, 40 % and 20 % spread
  -- evenly. A channel's weight is that of its touches, so the first and last
  -- touch come from the same tie-break as first and last touch above.
  weighted AS (
    SELECT s.*, s.revenue * s.position_weight / s.all_weight AS position_base,
           s.revenue * s.position_weight % s.all_weight AS position_rest
      FROM (SELECT s.*,
                   CASE WHEN s.all_touches <= 2 THEN s.touches
                        ELSE 2 * s.touches + (s.is_first::int + s.is_last::int) * (4 * (s.all_touches - 2) - 2) END
                     AS position_weight,
                   CASE WHEN s.all_touches <= 2 THEN s.all_touches ELSE 10 * (s.all_touches - 2) END AS all_weight
              FROM ranked AS s) AS s
  ),
  computed AS (
    SELECT s.purchase_id AS event_id, s.channel::text COLLATE "default" AS channel, s.currency, s.occurred_at,
           CASE WHEN s.is_last THEN s.revenue ELSE 0 END AS last_touch_cents,
           CASE WHEN s.is_first THEN s.revenue ELSE 0 END AS first_touch_cents,
           s.linear_cents, s.time_decay_cents,
           round(s.touches::numeric / s.all_touches, 10)::numeric(11, 10) AS linear_ratio,
           round(s.decay_ratio::numeric, 10)::numeric(11, 10) AS time_decay_ratio,
           'v1'::text AS model_version,
           s.position_base + (row_number() OVER pos <= s.revenue - sum(s.position_base) OVER pos)::int
             AS position_based_cents,
           round(s.position_weight::numeric / s.all_weight, 10)::numeric(11, 10) AS position_based_ratio
      FROM weighted AS s
    WINDOW pos AS (PARTITION BY s.purchase_id ORDER BY s.position_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  -- The credits stored for the purchases of the window (a credit carries
  -- its purchase's time), or for the purchases to compute, each looked up
  -- by its key, and what differs from them. (The planner must not be
  -- free to do otherwise: right after a recompute from scratch the
  -- credits' statistics may be those of the emptied table, one row, and
  -- it then read the tenant's whole index for a purchase's rows.) The
  -- writes below reach the purchases to compute by their keys, for the
  -- same reason.
  stored AS (
    SELECT c.event_id, c.channel, c.currency, c.occurred_at, c.last_touch_cents,
           c.first_touch_cents, c.linear_cents, c.time_decay_cents, c.linear_ratio, c.time_decay_ratio,
           c.model_version, c.position_based_cents, c.position_based_ratio
      FROM skeldir.attribution_credits AS c
     WHERE affected IS NULL
       AND c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end
    UNION ALL
    SELECT c.*
      FROM unnest(affected) AS a(id)
     CROSS JOIN LATERAL (
       SELECT c.event_id, c.channel, c.currency, c.occurred_at, c.last_touch_cents,
              c.first_touch_cents, c.linear_cents, c.time_decay_cents, c.linear_ratio, c.time_decay_ratio,
              c.model_version, c.position_based_cents, c.position_based_ratio
         FROM skeldir.attribution_credits AS c
        WHERE c.tenant_id = tenant AND c.event_id = a.id
       OFFSET 0) AS c
  ),
  diff AS MATERIALIZED (
    SELECT coalesce(w.event_id, c.event_id) AS event_id, coalesce(w.channel, c.channel) AS channel,
           w.event_id IS NOT NULL AS computed, c.event_id IS NOT NULL AS stored,
           w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents, w.time_decay_cents,
           w.linear_ratio, w.time_decay_ratio, w.model_version, w.position_based_cents, w.position_based_ratio,
           c.currency AS was_currency, c.occurred_at AS was_occurred_at, c.last_touch_cents AS was_last_touch_cents,
           c.first_touch_cents AS was_first_touch_cents, c.linear_cents AS was_linear_cents,
           c.time_decay_cents AS was_time_decay_cents, c.linear_ratio AS was_linear_ratio,
           c.time_decay_ratio AS was_time_decay_ratio, c.model_version AS was_model_version,
           c.position_based_cents AS was_position_based_cents, c.position_based_ratio AS was_position_based_ratio
      FROM computed AS w FULL JOIN stored AS c ON c.event_id = w.event_id AND c.channel = w.channel
     WHERE w.event_id IS NULL OR c.event_id IS NULL
        OR (w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents, w.time_decay_cents,
            w.linear_ratio, w.time_decay_ratio, w.model_version, w.position_based_cents, w.position_based_ratio)
           <> (c.currency, c.occurred_at, c.last_touch_cents, c.first_touch_cents, c.linear_cents, c.time_decay_cents,
               c.linear_ratio, c.time_decay_ratio, c.model_version, c.position_based_cents, c.position_based_ratio)
  ),
  -- What goes is kept, as it was, in the history: revised when the channel
  -- still has a credit of the purchase (with other values), withdrawn when
  -- it has none any more.
  revised AS (
    UPDATE skeldir.attribution_credits AS c
       SET currency = d.currency, occurred_at = d.occurred_at, last_touch_cents = d.last_touch_cents,
           first_touch_cents = d.first_touch_cents, linear_cents = d.linear_cents,
           time_decay_cents = d.time_decay_cents, linear_ratio = d.linear_ratio,
           time_decay_ratio = d.time_decay_ratio, model_version = d.model_version,
           position_based_cents = d.position_based_cents, position_based_ratio = d.position_based_ratio
      FROM diff AS d
     WHERE d.computed AND d.stored AND c.tenant_id = tenant AND c.event_id = d.event_id AND c.channel = d.channel
       AND (affected IS NULL OR c.event_id = ANY (affected))
    RETURNING d.*
  ),
  withdrawn AS (
    DELETE FROM skeldir.attribution_credits AS c
     USING diff AS d
     WHERE NOT d.computed AND c.tenant_id = tenant AND c.event_id = d.event_id AND c.channel = d.channel
       AND (affected IS NULL OR c.event_id = ANY (affected))
    RETURNING d.*
  ),
  added AS (
    INSERT INTO skeldir.attribution_credits
      (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents, linear_cents,
       time_decay_cents, linear_ratio, time_decay_ratio, model_version, position_based_cents, position_based_ratio)
    SELECT tenant, d.event_id, d.channel, d.currency, d.occurred_at, d.last_touch_cents, d.first_touch_cents,
           d.linear_cents, d.time_decay_cents, d.linear_ratio, d.time_decay_ratio, d.model_version,
           d.position_based_cents, d.position_based_ratio
      FROM diff AS d
     WHERE NOT d.stored
    RETURNING 1
  ),
  superseded AS (
    INSERT INTO skeldir.attribution_credit_history
      (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents, linear_cents,
       time_decay_cents, position_based_cents, linear_ratio, time_decay_ratio, position_based_ratio, model_version,
       change, reason, job_id)
    SELECT tenant, s.event_id, s.channel, s.was_currency, s.was_occurred_at, s.was_last_touch_cents,
           s.was_first_touch_cents, s.was_linear_cents, s.was_time_decay_cents, s.was_position_based_cents,
           s.was_linear_ratio, s.was_time_decay_ratio, s.was_position_based_ratio, s.was_model_version,
           CASE WHEN s.computed THEN 'revised' ELSE 'withdrawn' END,
           recompute_attribution.reason, recompute_attribution.job_id
      FROM (SELECT * FROM revised UNION ALL SELECT * FROM withdrawn) AS s
    RETURNING change
  )
  SELECT count(*) FILTER (WHERE change = 'revised') * 2 + count(*) FILTER (WHERE change = 'withdrawn')
         + (SELECT count(*) FROM added)
    INTO changes
    FROM superseded;
  SET LOCAL skeldir.attribution_writer = '';
  -- (what the trigger left to it: 20261204081100)
  IF changes > 0 THEN
    PERFORM skeldir.credit_sums_hold(window_start, window_end, affected);
  END IF;
  END IF;

  -- (after the write, which keeps the marks of the tenant's other windows)
  INSERT INTO skeldir.attribution_marks AS m (tenant_id, window_start, window_end, seen, definition, system)
  VALUES (tenant, window_start, window_end, upto, this_definition, this_system)
  ON CONFLICT ON CONSTRAINT attribution_marks_pkey DO UPDATE
    SET seen = excluded.seen, definition = excluded.definition, system = excluded.system,
        marked_at = excluded.marked_at;
  -- Marks of windows inside this one that say no more than it does.
  DELETE FROM skeldir.attribution_marks AS m
   WHERE m.tenant_id = tenant AND m.window_start >= recompute_attribution.window_start
     AND m.window_end <= recompute_attribution.window_end
     AND (m.window_start, m.window_end) <> (recompute_attribution.window_start, recompute_attribution.window_end)
     AND m.seen <= upto;

  -- (after the write, which forgets what was recorded)
  IF long THEN
    INSERT INTO skeldir.attribution_recomputes AS r
      (tenant_id, window_start, window_end, events, order_events, definition, credited)
    SELECT tenant, window_start, window_end, seen.events, seen.order_events, seen.definition,
           EXISTS (SELECT 1 FROM skeldir.attribution_credits AS c
                    WHERE c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end)
    ON CONFLICT ON CONSTRAINT attribution_recomputes_pkey DO UPDATE
      SET events = excluded.events, order_events = excluded.order_events, definition = excluded.definition,
          credited = excluded.credited, recomputed_at = excluded.recomputed_at;
  END IF;
  RETURN changes;
END
$$;

ALTER FUNCTION skeldir.recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: FUNCTION recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text, job_id bigint); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text, job_id bigint) IS 'Recomputes the tenant''s credits of purchases in [window_start, window_end) in one statement, writing only what differs and keeping what it supersedes in the history.';

--
-- Name: reconciliation_runs; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.reconciliation_runs (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    status skeldir.reconciliation_run_status DEFAULT 'queued'::skeldir.reconciliation_run_status NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    job_id bigint,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    orders_total integer DEFAULT 0 NOT NULL,
    verified_count integer DEFAULT 0 NOT NULL,
    ghost_count integer DEFAULT 0 NOT NULL,
    discrepancy_count integer DEFAULT 0 NOT NULL,
    unmatched_count integer DEFAULT 0 NOT NULL,
    error text,
    CONSTRAINT reconciliation_runs_check CHECK ((window_start < window_end)),
    CONSTRAINT reconciliation_runs_check1 CHECK ((orders_total = ((verified_count + ghost_count) + discrepancy_count))),
    CONSTRAINT reconciliation_runs_check2 CHECK (((status = ANY (ARRAY['completed'::skeldir.reconciliation_run_status, 'failed'::skeldir.reconciliation_run_status])) = (finished_at IS NOT NULL))),
    CONSTRAINT reconciliation_runs_discrepancy_count_check CHECK ((discrepancy_count >= 0)),
    CONSTRAINT reconciliation_runs_ghost_count_check CHECK ((ghost_count >= 0)),
    CONSTRAINT reconciliation_runs_orders_total_check CHECK ((orders_total >= 0)),
    CONSTRAINT reconciliation_runs_unmatched_count_check CHECK ((unmatched_count >= 0)),
    CONSTRAINT reconciliation_runs_verified_count_check CHECK ((verified_count >= 0))
);

ALTER TABLE ONLY skeldir.reconciliation_runs FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.reconciliation_runs OWNER TO skeldir_owner;

--
-- Name: TABLE reconciliation_runs; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.reconciliation_runs IS 'Reconciliation runs per tenant: window, status (queued, completed, failed), counts, error.';

--
-- Name: reconcile(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconcile(run_id uuid) RETURNS skeldir.reconciliation_runs
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  began timestamptz := clock_timestamp();
  finished timestamptz;
  unmatched jsonb;
  r skeldir.reconciliation_runs;
  written bigint;
  newer skeldir.vendor[];
BEGIN
  SELECT * INTO r FROM skeldir.reconciliation_runs AS x WHERE x.tenant_id = tenant AND x.id = reconcile.run_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciliation run % for the tenant in context', coalesce(run_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  DELETE FROM skeldir.reconciliation_results AS x WHERE x.tenant_id = tenant AND x.run_id = r.id;

  WITH claim AS (
    SELECT DISTINCT ON (c.vendor, c.order_id) c.vendor AS shop_platform, c.order_id, c.currency, c.occurred_at
      FROM skeldir.revenue_ledger AS c
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = c.vendor AND p.side = 'shop'
     WHERE c.tenant_id = tenant AND c.state = 'captured'
       AND c.occurred_at >= r.window_start AND c.occurred_at < r.window_end
     ORDER BY c.vendor, c.order_id, c.occurred_at, c.id
  ),
  shop_net AS (
    SELECT cl.shop_platform, cl.order_id,
           sum(CASE l.state WHEN 'captured' THEN l.amount_cents ELSE -l.amount_cents END) AS claimed_cents
      FROM claim AS cl
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.order_id = cl.order_id AND l.vendor = cl.shop_platform
       AND l.currency = cl.currency
     GROUP BY cl.shop_platform, cl.order_id
  ),
  capture AS (
    SELECT c.vendor, c.transaction_id, c.order_id
      FROM skeldir.revenue_ledger AS c
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = c.vendor AND p.side = 'processor'
     WHERE c.tenant_id = tenant AND c.state = 'captured'
       AND c.order_id IN (SELECT cl.order_id FROM claim AS cl)
  ),
  linked AS (
    SELECT 1 AS how, l.id, c.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM capture AS c
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.vendor = c.vendor AND l.transaction_id = c.transaction_id
    UNION ALL
    SELECT 2, l.id, c.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM capture AS c
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.vendor = c.vendor AND l.order_id = c.transaction_id
       AND l.state <> 'captured'
    UNION ALL
    SELECT 3, l.id, l.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM skeldir.revenue_ledger AS l
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = l.vendor AND p.side = 'processor'
     WHERE l.tenant_id = tenant AND l.state <> 'captured'
       AND l.order_id IN (SELECT cl.order_id FROM claim AS cl)
  ),
  processor_row AS (
    SELECT DISTINCT ON (k.id) k.* FROM linked AS k ORDER BY k.id, k.how
  ),
  per_processor AS (
    SELECT cl.shop_platform, cl.order_id, pr.vendor,
           bool_or(pr.state = 'captured') AS has_capture,
           coalesce(sum(pr.amount_cents) FILTER (WHERE pr.state = 'captured' AND pr.currency = cl.currency), 0) AS gross,
           coalesce(sum(CASE pr.state WHEN 'captured' THEN pr.amount_cents ELSE -pr.amount_cents END)
                      FILTER (WHERE pr.currency = cl.currency), 0) AS net
      FROM claim AS cl
      JOIN processor_row AS pr ON pr.order_id = cl.order_id
     GROUP BY cl.shop_platform, cl.order_id, pr.vendor
  ),
  processed AS (
    SELECT pp.shop_platform, pp.order_id, sum(pp.net) AS captured_cents,
           (array_agg(pp.vendor ORDER BY pp.gross DESC, pp.vendor) FILTER (WHERE pp.has_capture))[1] AS processor_platform
      FROM per_processor AS pp
     GROUP BY pp.shop_platform, pp.order_id
  ),
  compared AS (
    SELECT cl.shop_platform, cl.order_id, cl.currency, cl.occurred_at, pd.processor_platform,
           s.claimed_cents::bigint AS claimed, coalesce(pd.captured_cents, 0)::bigint AS captured
      FROM claim AS cl
      JOIN shop_net AS s ON s.shop_platform = cl.shop_platform AND s.order_id = cl.order_id
      LEFT JOIN processed AS pd ON pd.shop_platform = cl.shop_platform AND pd.order_id = cl.order_id
  ),
  -- (returning its rows: see the header)
  result AS (
  INSERT INTO skeldir.reconciliation_results
    (tenant_id, run_id, shop_platform, order_id, processor_platform, ordered_at, currency,
     claimed_cents, captured_cents, outcome, discrepancy_bps)
  SELECT tenant, r.id, c.shop_platform, c.order_id, c.processor_platform, c.occurred_at, c.currency,
         c.claimed, c.captured,
         CASE WHEN c.claimed = c.captured THEN 'verified'
              WHEN c.processor_platform IS NULL THEN 'ghost'
              ELSE 'discrepancy' END::skeldir.reconciliation_outcome,
         CASE WHEN c.claimed <> 0 THEN round((c.captured - c.claimed)::numeric * 10000 / abs(c.claimed))::bigint END
    FROM compared AS c
  RETURNING 1
  )
  SELECT count(*) INTO written FROM result;

  finished := clock_timestamp();

  -- Captures of the window that no shop order claims, per processor.
  SELECT coalesce(jsonb_object_agg(u.vendor, u.n), '{}') INTO unmatched
    FROM (SELECT p.vendor, count(*) AS n
            FROM skeldir.revenue_ledger AS p
            JOIN skeldir.reconciliation_platforms AS rp ON rp.platform = p.vendor AND rp.side = 'processor'
           WHERE p.tenant_id = tenant AND p.state = 'captured'
             AND p.occurred_at >= r.window_start AND p.occurred_at < r.window_end
             AND NOT EXISTS (SELECT 1 FROM skeldir.revenue_ledger AS s
                               JOIN skeldir.reconciliation_platforms AS sp ON sp.platform = s.vendor AND sp.side = 'shop'
                              WHERE s.tenant_id = tenant AND s.order_id = p.order_id AND s.state = 'captured')
           GROUP BY p.vendor) AS u;

  -- The platforms whose status a newer run of the tenant stands for keep
  -- it: a rerun of an older run must not overwrite it. (Their rows are
  -- locked first, as the conflict of the upsert below would lock them.)
  PERFORM 1 FROM skeldir.reconciliation_platform_status AS s WHERE s.tenant_id = tenant FOR UPDATE;
  SELECT coalesce(array_agg(s.platform), '{}') INTO newer
    FROM skeldir.reconciliation_platform_status AS s
    JOIN skeldir.reconciliation_runs AS n ON n.tenant_id = s.tenant_id AND n.id = s.last_run_id
   WHERE s.tenant_id = tenant AND n.requested_at > r.requested_at;

  WITH mine AS (
    SELECT p.platform, x.*
      FROM skeldir.reconciliation_platforms AS p
      JOIN skeldir.reconciliation_results AS x
        ON x.tenant_id = tenant AND x.run_id = r.id
       AND p.platform = CASE p.side WHEN 'shop' THEN x.shop_platform ELSE x.processor_platform END
  ),
  counted AS (
    SELECT p.platform,
           count(m.order_id) AS orders_total,
           count(m.order_id) FILTER (WHERE m.outcome = 'verified') AS verified_count,
           count(m.order_id) FILTER (WHERE m.outcome = 'ghost') AS ghost_count,
           count(m.order_id) FILTER (WHERE m.outcome = 'discrepancy') AS discrepancy_count
      FROM skeldir.reconciliation_platforms AS p
      LEFT JOIN mine AS m ON m.platform = p.platform
     GROUP BY p.platform
  ),
  revenue AS (
    SELECT v.platform, jsonb_object_agg(v.currency, v.cents ORDER BY v.currency) AS verified_revenue
      FROM (SELECT m.platform, m.currency, sum(m.captured_cents) AS cents
              FROM mine AS m WHERE m.outcome = 'verified'
             GROUP BY m.platform, m.currency) AS v
     GROUP BY v.platform
  ),
  status AS (
  INSERT INTO skeldir.reconciliation_platform_status AS s
    (tenant_id, platform, status, last_run_id, synced_run_id, orders_total, verified_count, ghost_count,
     discrepancy_count, unmatched_count, verified_revenue, last_synced_at, error, updated_at)
  SELECT tenant, c.platform,
         CASE WHEN c.ghost_count + c.discrepancy_count > 0 THEN 'partial' ELSE 'verified' END::skeldir.reconciliation_status,
         r.id, r.id, c.orders_total, c.verified_count, c.ghost_count, c.discrepancy_count,
         coalesce((unmatched ->> c.platform::text)::integer, 0),
         coalesce(v.verified_revenue, '{}'), finished, NULL, finished
    FROM counted AS c
    LEFT JOIN revenue AS v ON v.platform = c.platform
  ON CONFLICT (tenant_id, platform) DO UPDATE
     SET status = excluded.status, last_run_id = excluded.last_run_id, synced_run_id = excluded.synced_run_id,
         orders_total = excluded.orders_total, verified_count = excluded.verified_count,
         ghost_count = excluded.ghost_count, discrepancy_count = excluded.discrepancy_count,
         unmatched_count = excluded.unmatched_count, verified_revenue = excluded.verified_revenue,
         last_synced_at = excluded.last_synced_at, error = NULL, updated_at = excluded.updated_at
   WHERE s.platform <> ALL (newer)
  RETURNING 1
  )
  SELECT count(*) INTO written FROM status;

  UPDATE skeldir.reconciliation_runs AS x
     SET status = 'completed', started_at = coalesce(x.started_at, began), finished_at = finished, error = NULL,
         (orders_total, verified_count, ghost_count, discrepancy_count) =
           (SELECT count(*), count(*) FILTER (WHERE y.outcome = 'verified'), count(*) FILTER (WHERE y.outcome = 'ghost'),
                   count(*) FILTER (WHERE y.outcome = 'discrepancy')
              FROM skeldir.reconciliation_results AS y WHERE y.tenant_id = tenant AND y.run_id = r.id),
         unmatched_count = (SELECT coalesce(sum(v::integer), 0) FROM jsonb_each_text(unmatched) AS e(k, v))
   WHERE x.tenant_id = tenant AND x.id = r.id
  RETURNING * INTO r;
  RETURN r;
END
$$;

ALTER FUNCTION skeldir.reconcile(run_id uuid) OWNER TO skeldir_owner;

--
-- Name: reconciliation_platform_status; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.reconciliation_platform_status (
    tenant_id uuid NOT NULL,
    platform skeldir.vendor NOT NULL,
    status skeldir.reconciliation_status DEFAULT 'pending'::skeldir.reconciliation_status NOT NULL,
    last_run_id uuid NOT NULL,
    synced_run_id uuid,
    orders_total integer DEFAULT 0 NOT NULL,
    verified_count integer DEFAULT 0 NOT NULL,
    ghost_count integer DEFAULT 0 NOT NULL,
    discrepancy_count integer DEFAULT 0 NOT NULL,
    unmatched_count integer DEFAULT 0 NOT NULL,
    verified_revenue jsonb DEFAULT '{}'::jsonb NOT NULL,
    last_synced_at timestamp with time zone,
    error text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT reconciliation_platform_status_check CHECK ((orders_total = ((verified_count + ghost_count) + discrepancy_count))),
    CONSTRAINT reconciliation_platform_status_check1 CHECK (((synced_run_id IS NULL) = (last_synced_at IS NULL))),
    CONSTRAINT reconciliation_platform_status_check2 CHECK (((status = 'failed'::skeldir.reconciliation_status) = (error IS NOT NULL))),
    CONSTRAINT reconciliation_platform_status_discrepancy_count_check CHECK ((discrepancy_count >= 0)),
    CONSTRAINT reconciliation_platform_status_ghost_count_check CHECK ((ghost_count >= 0)),
    CONSTRAINT reconciliation_platform_status_orders_total_check CHECK ((orders_total >= 0)),
    CONSTRAINT reconciliation_platform_status_unmatched_count_check CHECK ((unmatched_count >= 0)),
    CONSTRAINT reconciliation_platform_status_verified_count_check CHECK ((verified_count >= 0)),
    CONSTRAINT reconciliation_platform_status_verified_revenue_check CHECK ((jsonb_typeof(verified_revenue) = 'object'::text))
);

ALTER TABLE ONLY skeldir.reconciliation_platform_status FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.reconciliation_platform_status OWNER TO skeldir_owner;

--
-- Name: TABLE reconciliation_platform_status; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.reconciliation_platform_status IS 'Per tenant and platform: reconciliation status (verified, partial, pending, failed) and the latest completed run''s counts.';

--
-- Name: reconciliation_platforms; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.reconciliation_platforms (
    platform skeldir.vendor NOT NULL,
    side text NOT NULL,
    display_name text NOT NULL,
    CONSTRAINT reconciliation_platforms_side_check CHECK ((side = ANY (ARRAY['shop'::text, 'processor'::text])))
);

ALTER TABLE skeldir.reconciliation_platforms OWNER TO skeldir_owner;

--
-- Name: TABLE reconciliation_platforms; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.reconciliation_platforms IS 'Platforms reconciliation compares: shops (claims) and processors (captures); a reference table.';

--
-- Name: tenants; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.tenants (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenants_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

ALTER TABLE ONLY skeldir.tenants FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.tenants OWNER TO skeldir_owner;

--
-- Name: TABLE tenants; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.tenants IS 'One row per customer account. The root of every tenant_id foreign key.';

--
-- Name: mv_reconciliation_status; Type: MATERIALIZED VIEW; Schema: analytics; Owner: skeldir_analytics
--

CREATE MATERIALIZED VIEW analytics.mv_reconciliation_status AS
 SELECT t.id AS tenant_id,
    p.platform,
    p.side,
    p.display_name,
    COALESCE(s.status, 'pending'::skeldir.reconciliation_status) AS status,
    COALESCE(s.orders_total, 0) AS orders_total,
    COALESCE(s.verified_count, 0) AS verified_count,
    COALESCE(s.ghost_count, 0) AS ghost_count,
    COALESCE(s.discrepancy_count, 0) AS discrepancy_count,
    COALESCE(s.unmatched_count, 0) AS unmatched_count,
    COALESCE(s.verified_revenue, '{}'::jsonb) AS verified_revenue,
    s.last_synced_at,
    s.error,
    s.last_run_id
   FROM ((skeldir.tenants t
     CROSS JOIN skeldir.reconciliation_platforms p)
     LEFT JOIN skeldir.reconciliation_platform_status s ON (((s.tenant_id = t.id) AND (s.platform = p.platform))))
  WHERE (t.id <> '00000000-0000-0000-0000-000000000000'::uuid)
  WITH NO DATA;

ALTER TABLE analytics.mv_reconciliation_status OWNER TO skeldir_analytics;

--
-- Name: reconciliation_platform_json(analytics.mv_reconciliation_status); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
  'platform_name', s.display_name,
  'platform', s.platform,
  'connection_status', s.status,
  'last_sync', coalesce(s.last_synced_at, (SELECT t.created_at FROM skeldir.tenants AS t WHERE t.id = s.tenant_id)),
  'events_processed', s.orders_total,
  'revenue_verified', (SELECT skeldir.major_units((s.verified_revenue ->> v.currency)::bigint, v.currency)
                         FROM (SELECT k AS currency FROM jsonb_object_keys(s.verified_revenue) AS k
                                ORDER BY (s.verified_revenue ->> k)::bigint DESC, k LIMIT 1) AS v),
  'verified_revenue', (SELECT jsonb_object_agg(k, skeldir.major_units((s.verified_revenue ->> k)::bigint, k))
                         FROM jsonb_object_keys(s.verified_revenue) AS k),
  'orders', jsonb_build_object('verified', s.verified_count, 'ghost', s.ghost_count,
                               'discrepancy', s.discrepancy_count, 'unmatched_captures', s.unmatched_count),
  'error_message', s.error))
$$;

ALTER FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) OWNER TO skeldir_owner;

--
-- Name: reconciliation_result_id(uuid, uuid, skeldir.vendor, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  SELECT skeldir.uuid_v5(skeldir.namespace_url(),
                         'urn:skeldir:reconciliation-result:' || tenant_id || ':' || run_id || ':' || shop_platform
                           || ':' || order_id)
$$;

ALTER FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text) IS 'The id of a reconciliation result (a finding): UUID v5 of its key (tenant, run, shop platform, order id).';

--
-- Name: reconciliation_rows(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_rows(tenant uuid) RETURNS SETOF analytics.mv_reconciliation_status
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

ALTER FUNCTION skeldir.reconciliation_rows(tenant uuid) OWNER TO skeldir_owner;

--
-- Name: reconciliation_run_failed(skeldir.jobs, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reconciliation_run_failed(job skeldir.jobs, outcome text) RETURNS void
    LANGUAGE plpgsql
    AS $_$
DECLARE
  run uuid;
  reason text := coalesce(job.last_error, 'the job failed');
  finished timestamptz;
BEGIN
  IF NOT coalesce(job.args ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false) THEN
    RETURN;
  END IF;
  run := (job.args ->> 'run_id')::uuid;
  IF outcome = 'retried' THEN
    UPDATE skeldir.reconciliation_runs AS x SET status = 'queued', error = reason
     WHERE x.tenant_id = job.tenant_scope AND x.id = run AND x.status = 'queued';
    RETURN;
  END IF;
  finished := clock_timestamp();
  UPDATE skeldir.reconciliation_runs AS x
     SET status = 'failed', finished_at = finished, error = reason
   WHERE x.tenant_id = job.tenant_scope AND x.id = run AND x.status = 'queued';
  UPDATE skeldir.reconciliation_platform_status AS s
     SET status = 'failed', error = reason, updated_at = now()
   WHERE s.tenant_id = job.tenant_scope AND s.last_run_id = run;
END
$_$;

ALTER FUNCTION skeldir.reconciliation_run_failed(job skeldir.jobs, outcome text) OWNER TO skeldir_owner;

--
-- Name: record_dead_event(skeldir.vendor, text, text, text, text, jsonb, text[], bytea, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text, error_type text, error_message text, payload jsonb, pii_paths text[], body bytea, correlation_id uuid) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
-- (the arrival's columns are named as its parameters: the columns win)
#variable_conflict use_column
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  kept_topic text := left(skeldir.redact_pii(topic), 255);
  kept_header text := CASE WHEN NOT skeldir.pii_value(idempotency_header) THEN left(idempotency_header, 255) END;
  kept_message text := left(skeldir.redact_pii(error_message), 1000);
  digest bytea := sha256(body);
  dead uuid;
BEGIN
  INSERT INTO skeldir.dead_events AS x
    (tenant_id, vendor, topic, idempotency_header, error_type, error_message, payload, pii_paths,
     body_sha256, body_bytes, correlation_id)
  VALUES
    (tenant, record_dead_event.vendor, kept_topic, kept_header, record_dead_event.error_type, kept_message,
     record_dead_event.payload, coalesce(record_dead_event.pii_paths, '{}'), digest,
     length(body), record_dead_event.correlation_id)
  ON CONFLICT (tenant_id, vendor, body_sha256) WHERE status IN ('pending', 'in_progress')
  DO UPDATE SET occurrences = x.occurrences + 1, last_seen_at = at
  RETURNING x.id INTO dead;
  RETURN dead;
END
$$;

ALTER FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text, error_type text, error_message text, payload jsonb, pii_paths text[], body bytea, correlation_id uuid) OWNER TO skeldir_owner;

--
-- Name: record_event(skeldir.webhook_topics, skeldir.delivery, jsonb, text[], text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb, pii_paths text[], idempotency_header text, OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid, OUT channel text, OUT duplicate boolean, OUT refresh_realtime boolean, OUT recompute_days date[]) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  kind skeldir.event_type := coalesce(d.event_type, topic.event_type);
  replay boolean;
  feed boolean;
BEGIN
  idempotency_key := coalesce(skeldir.body_delivery_key(topic.vendor, payload),
    nullif(btrim(idempotency_header), ''),
    skeldir.uuid_v5(skeldir.namespace_url(), topic.vendor || '_' || topic.key_name || '_' || d.external_id)::text);
  correlation_id := skeldir.uuid_v5(skeldir.namespace_url(), idempotency_key);

  -- A refund without attribution of its own belongs to its order's channel.
  IF kind = 'refund' AND d.session_id IS NULL
     AND coalesce(d.utm_source, d.utm_medium, d.referrer) IS NULL THEN
    SELECT e.channel, e.session_id INTO channel, d.session_id
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.order_id = d.order_id AND e.vendor = topic.vendor
       AND e.event_type = 'purchase'
     ORDER BY e.occurred_at
     LIMIT 1;
  END IF;
  channel := coalesce(channel, skeldir.classify_channel(d.utm_source, d.utm_medium, d.referrer));

  INSERT INTO skeldir.attribution_events AS e
    (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id,
     session_id, revenue_cents, currency, channel, utm_source, utm_medium, referrer, occurred_at,
     payload, pii_paths)
  VALUES
    (tenant, idempotency_key, correlation_id, topic.vendor, topic.topic, kind, d.external_id,
     d.order_id, d.session_id, d.revenue_cents, d.currency, channel, d.utm_source, d.utm_medium,
     d.referrer, d.occurred_at, payload, pii_paths)
  ON CONFLICT ON CONSTRAINT attribution_events_tenant_id_idempotency_key_key DO NOTHING
  RETURNING e.id INTO event_id;

  duplicate := event_id IS NULL;
  IF duplicate THEN
    SELECT e.id, e.channel, e.payload IS NOT DISTINCT FROM record_event.payload INTO event_id, channel, replay
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.idempotency_key = record_event.idempotency_key;
    -- The very delivery again moved no new money: its movements are booked.
    refresh_realtime := false;
    IF replay THEN
      RETURN;
    END IF;
  END IF;

  -- What the new rows ask for is asked by the caller, in order (realtime
  -- revenue, then attribution recomputes), unless the change feed runs.
  -- The mode is read after the event's insert, so a switch back to fallback
  -- (which locks the events table, see worker.change_feed_fallback) either
  -- sees this event committed or makes this transaction read 'fallback'.
  feed := (SELECT f.mode FROM skeldir.change_feed AS f) IS NOT DISTINCT FROM 'feed';
  refresh_realtime := skeldir.book_money(topic.vendor, d, event_id) > 0 AND NOT feed;
  IF duplicate OR feed THEN
    RETURN;
  END IF;

  -- A new purchase asks for the recompute of its days, and so does a new
  -- touch: it may be dated before purchases delivered ahead of it
  -- (skeldir.attribution_days).
  recompute_days := skeldir.attribution_days(
    CASE WHEN kind = 'purchase' AND d.revenue_cents > 0 THEN ARRAY[d.order_id] END,
    CASE WHEN kind = 'purchase' AND d.revenue_cents > 0 THEN ARRAY[(d.occurred_at AT TIME ZONE 'UTC')::date] END,
    CASE WHEN kind <> 'refund' AND d.session_id IS NOT NULL THEN ARRAY[d.session_id] END,
    CASE WHEN kind <> 'refund' AND d.session_id IS NOT NULL THEN ARRAY[d.occurred_at] END);
END
$$;

ALTER FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb, pii_paths text[], idempotency_header text, OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid, OUT channel text, OUT duplicate boolean, OUT refresh_realtime boolean, OUT recompute_days date[]) OWNER TO skeldir_owner;

--
-- Name: record_spend(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.record_spend(rows jsonb) RETURNS integer
    LANGUAGE plpgsql
    AS $_$
DECLARE
  r jsonb;
  i integer := 0;
  field text;
  checked jsonb := '[]';
  row_day date;
  cents bigint;
  stored integer;
BEGIN
  IF jsonb_typeof(rows) IS DISTINCT FROM 'array' OR jsonb_array_length(rows) = 0 THEN
    RAISE EXCEPTION 'rows must be a non-empty array' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'rows';
  END IF;
  IF jsonb_array_length(rows) > 10000 THEN
    RAISE EXCEPTION 'at most 10000 rows per report' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'rows';
  END IF;
  FOR r IN SELECT e FROM jsonb_array_elements(rows) AS e LOOP
    field := format('rows[%s]', i);
    IF jsonb_typeof(r) IS DISTINCT FROM 'object' THEN
      RAISE EXCEPTION '% must be an object', field USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].date', i);
    BEGIN
      IF coalesce(r ->> 'date', '') !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RAISE invalid_datetime_format;
      END IF;
      row_day := (r ->> 'date')::date;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
      RAISE EXCEPTION '% must be a date (YYYY-MM-DD)', field USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END;
    field := format('rows[%s].channel', i);
    IF NOT EXISTS (SELECT 1 FROM skeldir.channel_taxonomy AS t WHERE t.code = r ->> 'channel') THEN
      RAISE EXCEPTION '% is not a channel code (see the channels endpoint''s channels)', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].currency', i);
    IF NOT EXISTS (SELECT 1 FROM skeldir.currencies AS c WHERE c.code = upper(r ->> 'currency')) THEN
      RAISE EXCEPTION '% is not an ISO 4217 code Skeldir knows', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END IF;
    field := format('rows[%s].amount', i);
    BEGIN
      cents := skeldir.to_minor_units(r -> 'amount', r ->> 'currency');
    EXCEPTION WHEN SQLSTATE 'SK422' THEN
      RAISE EXCEPTION '% must be a non-negative amount exact to the currency''s minor unit', field
        USING ERRCODE = 'invalid_parameter_value', COLUMN = field;
    END;
    checked := checked || jsonb_build_object('day', row_day, 'channel', r ->> 'channel',
                                             'currency', upper(r ->> 'currency'), 'cents', cents);
    i := i + 1;
  END LOOP;

  -- The last row of a key wins, as a later report would.
  INSERT INTO skeldir.ad_spend AS s (tenant_id, day, channel, currency, amount_cents)
  SELECT DISTINCT ON (c ->> 'day', c ->> 'channel', c ->> 'currency')
         skeldir.current_tenant_id(), (c ->> 'day')::date, c ->> 'channel', c ->> 'currency', (c ->> 'cents')::bigint
    FROM jsonb_array_elements(checked) WITH ORDINALITY AS x(c, n)
   ORDER BY c ->> 'day', c ->> 'channel', c ->> 'currency', n DESC
  ON CONFLICT (tenant_id, day, channel, currency)
  DO UPDATE SET amount_cents = excluded.amount_cents, updated_at = excluded.updated_at;
  GET DIAGNOSTICS stored = ROW_COUNT;
  RETURN stored;
END
$_$;

ALTER FUNCTION skeldir.record_spend(rows jsonb) OWNER TO skeldir_owner;

--
-- Name: redact_pii(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.redact_pii(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN skeldir.pii_value(value) THEN regexp_replace(regexp_replace(regexp_replace(value, skeldir.pii_pattern('email'::text), '[email]'::text, 'g'::text), skeldir.pii_pattern('ip'::text), '[ip]'::text, 'g'::text), skeldir.pii_pattern('phone'::text), '[phone]'::text, 'g'::text) ELSE value END;

ALTER FUNCTION skeldir.redact_pii(value text) OWNER TO skeldir_owner;

--
-- Name: redacted_key(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.redacted_key(key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN skeldir.pii_value(key) THEN '[redacted]'::text ELSE "left"(key, 100) END;

ALTER FUNCTION skeldir.redacted_key(key text) OWNER TO skeldir_owner;

--
-- Name: refresh_matview(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.refresh_matview(view_name text) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  mv skeldir.matviews;
  started timestamptz := clock_timestamp();
  waited_before text := current_setting('lock_timeout');
BEGIN
  SELECT * INTO mv FROM skeldir.matviews AS m WHERE m.name = refresh_matview.view_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown materialized view %', quote_literal(view_name) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT skeldir.try_take_turn('refresh_matview/' || mv.name) THEN
    PERFORM skeldir.count_matview_refresh(mv.name, 'skipped', 0);
    RETURN 'skipped';
  END IF;
  PERFORM set_config('lock_timeout', (extract(epoch FROM mv.lock_timeout) * 1000)::bigint || 'ms', true);
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', mv.name);
  PERFORM set_config('lock_timeout', waited_before, true);
  PERFORM skeldir.count_matview_refresh(mv.name, 'refreshed', extract(epoch FROM clock_timestamp() - started));
  RETURN 'refreshed';
END
$$;

ALTER FUNCTION skeldir.refresh_matview(view_name text) OWNER TO skeldir_owner;

--
-- Name: refresh_realtime_revenue(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.refresh_realtime_revenue() RETURNS integer
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  orders text[];
  written integer;
  at timestamptz;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'refresh_realtime_revenue needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.take_turns('refresh_realtime_revenue/' || tenant);
  -- Waits for the writers still holding a mark; the statements below see
  -- what they committed.
  WITH taken AS (
    DELETE FROM skeldir.realtime_revenue_marks AS m WHERE m.tenant_id = tenant RETURNING m.order_key
  )
  SELECT array_agg(t.order_key) INTO orders FROM taken AS t;

  IF orders IS NOT NULL THEN
    -- What the marked orders added, out of the totals...
    at := clock_timestamp();
    WITH gone AS (
      DELETE FROM skeldir.realtime_revenue_orders AS o
       WHERE o.tenant_id = tenant AND o.order_key = ANY (orders)
      RETURNING o.*
    )
    INSERT INTO skeldir.realtime_revenue AS x
      (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, records,
       last_booked_at, refreshed_at)
    SELECT tenant, g.currency, -sum(g.captured_cents), -sum(g.refunded_cents), -sum(g.chargeback_cents),
           -sum(g.net_cents), -sum(g.captures), -sum(g.records), '-infinity', at
      FROM gone AS g
     GROUP BY g.currency
    ON CONFLICT (tenant_id, currency) DO UPDATE
       SET captured_cents = x.captured_cents + excluded.captured_cents,
           refunded_cents = x.refunded_cents + excluded.refunded_cents,
           chargeback_cents = x.chargeback_cents + excluded.chargeback_cents,
           net_cents = x.net_cents + excluded.net_cents, captures = x.captures + excluded.captures,
           records = x.records + excluded.records;

    -- ...and what they add now, in.
    at := clock_timestamp();
    WITH candidate AS (
      -- The rows that may count with the marked orders: theirs, and the
      -- refunds and chargebacks of their processor captures (each by its
      -- partial index: revenue_ledger_reversed_idx, _charged_back_idx).
      SELECT l.id
        FROM skeldir.revenue_ledger AS l
       WHERE l.tenant_id = tenant AND l.order_id = ANY (orders)
      UNION
      SELECT r.id
        FROM skeldir.revenue_ledger AS c
        JOIN skeldir.revenue_ledger AS r
          ON r.tenant_id = c.tenant_id AND r.vendor = c.vendor AND r.state = 'refunded'
         AND coalesce(r.reverses_transaction_id, r.transaction_id) = c.transaction_id
       WHERE c.tenant_id = tenant AND c.order_id = ANY (orders) AND c.state = 'captured'
      UNION
      SELECT r.id
        FROM skeldir.revenue_ledger AS c
        JOIN skeldir.revenue_ledger AS r
          ON r.tenant_id = c.tenant_id AND r.vendor = c.vendor AND r.state = 'chargeback'
         AND coalesce(r.reverses_transaction_id, r.transaction_id) = c.transaction_id
       WHERE c.tenant_id = tenant AND c.order_id = ANY (orders) AND c.state = 'captured'
    ),
    kept AS (
      INSERT INTO skeldir.realtime_revenue_orders AS o
        (tenant_id, order_key, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures,
         records, last_booked_at)
      SELECT tenant, r.order_key, r.currency,
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'captured'), 0),
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'refunded'), 0),
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'chargeback'), 0),
             sum(CASE r.state WHEN 'captured' THEN r.amount_cents ELSE -r.amount_cents END),
             count(*) FILTER (WHERE r.state = 'captured'), count(*), max(r.recorded_at)
        FROM skeldir.revenue_of_record AS r
       WHERE r.tenant_id = tenant AND r.id IN (SELECT c.id FROM candidate AS c) AND r.order_key = ANY (orders)
       GROUP BY r.order_key, r.currency
      RETURNING o.*
    )
    INSERT INTO skeldir.realtime_revenue AS x
      (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, records,
       last_booked_at, refreshed_at)
    SELECT tenant, k.currency, sum(k.captured_cents), sum(k.refunded_cents), sum(k.chargeback_cents),
           sum(k.net_cents), sum(k.captures), sum(k.records), max(k.last_booked_at), at
      FROM kept AS k
     GROUP BY k.currency
    ON CONFLICT (tenant_id, currency) DO UPDATE
       SET captured_cents = x.captured_cents + excluded.captured_cents,
           refunded_cents = x.refunded_cents + excluded.refunded_cents,
           chargeback_cents = x.chargeback_cents + excluded.chargeback_cents,
           net_cents = x.net_cents + excluded.net_cents, captures = x.captures + excluded.captures,
           records = x.records + excluded.records,
           last_booked_at = greatest(x.last_booked_at, excluded.last_booked_at);

    DELETE FROM skeldir.realtime_revenue AS x WHERE x.tenant_id = tenant AND x.records <= 0;
  END IF;

  -- Every currency's numbers are as of now, changed or not.
  at := clock_timestamp();
  UPDATE skeldir.realtime_revenue AS x SET refreshed_at = at WHERE x.tenant_id = tenant;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

ALTER FUNCTION skeldir.refresh_realtime_revenue() OWNER TO skeldir_owner;

--
-- Name: refresh_token_digest(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.refresh_token_digest(token text) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN sha256(convert_to(COALESCE(token, ''::text), 'UTF8'::name));

ALTER FUNCTION skeldir.refresh_token_digest(token text) OWNER TO skeldir_owner;

--
-- Name: reject_pii(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.reject_pii() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  row_doc jsonb := to_jsonb(NEW);
BEGIN
  IF cardinality(skeldir.pii_found((SELECT jsonb_object_agg(c, row_doc -> c) FROM unnest(TG_ARGV) AS c))) > 0 THEN
    RAISE EXCEPTION 'refusing to store personal data in %', TG_TABLE_NAME
      USING ERRCODE = 'check_violation', HINT = 'store payloads as skeldir.project_payload() projects them';
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION skeldir.reject_pii() OWNER TO skeldir_owner;

--
-- Name: replay_dead_event(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.replay_dead_event(dead_event_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  x skeldir.dead_events;
  r record;
  e record;
BEGIN
  SELECT * INTO x FROM skeldir.dead_events AS de WHERE de.tenant_id = tenant AND de.id = dead_event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dead event % does not exist for this tenant', dead_event_id USING ERRCODE = 'no_data_found';
  END IF;
  IF x.status NOT IN ('pending', 'in_progress') THEN
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'skipped', 'status', x.status);
  END IF;
  IF x.payload IS NULL THEN
    UPDATE skeldir.dead_events AS de SET status = 'abandoned' WHERE de.tenant_id = tenant AND de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'abandoned',
                              'error', 'the body was not JSON and was not kept; the sender must deliver it again');
  END IF;

  r := skeldir.read_webhook(x.vendor, x.topic, x.idempotency_header, convert_to(x.payload::text, 'UTF8'));
  IF r.error_type IS NOT NULL THEN
    UPDATE skeldir.dead_events AS de
       SET retry_count = de.retry_count + 1, error_type = r.error_type, error_message = r.error_message,
           next_retry_at = now() + least(interval '1 day', interval '1 minute' * 2 ^ de.retry_count)
     WHERE de.tenant_id = tenant AND de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'failed', 'error_type', r.error_type,
                              'error', r.error_message, 'retry_count', x.retry_count + 1);
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, x.pii_paths || r.pii_paths, x.idempotency_header);
  IF e.refresh_realtime THEN
    PERFORM skeldir.request_realtime_revenue(x.tenant_id);
  END IF;
  PERFORM skeldir.request_attribution_recompute(x.tenant_id, day) FROM unnest(e.recompute_days) AS day ORDER BY day;
  UPDATE skeldir.dead_events AS de SET status = 'resolved', resolved_event_id = e.event_id WHERE de.tenant_id = tenant AND de.id = x.id;
  RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'resolved', 'event_id', e.event_id,
                            'duplicate', e.duplicate);
END
$$;

ALTER FUNCTION skeldir.replay_dead_event(dead_event_id uuid) OWNER TO skeldir_owner;

--
-- Name: request_change_work(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  t uuid;
  n integer;
BEGIN
  CREATE TEMP TABLE change_work ON COMMIT DROP AS
  SELECT c.*
    FROM jsonb_to_recordset(changes) AS c("table" text, tenant_id uuid, event_type text, order_id text,
                                          session_id text, revenue_cents bigint, occurred_at timestamptz);
  IF EXISTS (SELECT 1 FROM change_work AS c
              WHERE c."table" = 'attribution_events' AND (c.tenant_id IS NULL OR c.occurred_at IS NULL)) THEN
    RAISE EXCEPTION 'an event change lacks tenant_id or occurred_at' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  refreshes := 0;
  FOR t IN SELECT DISTINCT x.id
             FROM change_work AS c
            CROSS JOIN LATERAL unnest(CASE WHEN c.tenant_id IS NULL THEN skeldir.tenant_ids()
                                           ELSE ARRAY[c.tenant_id] END) AS x(id)
            WHERE c."table" = 'revenue_ledger'
            ORDER BY 1 LOOP
    PERFORM skeldir.request_realtime_revenue(t);
    refreshes := refreshes + 1;
  END LOOP;

  recomputes := 0;
  -- In (tenant, day) order: each dedupe key is a lock held until commit.
  FOR t IN SELECT DISTINCT c.tenant_id FROM change_work AS c WHERE c."table" = 'attribution_events' ORDER BY 1 LOOP
    PERFORM skeldir.set_tenant_context(t::text, true);
    SELECT count(skeldir.request_attribution_recompute(t, day)) INTO n
      FROM unnest(skeldir.attribution_days(
             ARRAY(SELECT c.order_id FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type = 'purchase'
                      AND c.revenue_cents > 0 AND c.order_id IS NOT NULL),
             ARRAY(SELECT (c.occurred_at AT TIME ZONE 'UTC')::date FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type = 'purchase'
                      AND c.revenue_cents > 0),
             ARRAY(SELECT c.session_id FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type <> 'refund'
                      AND c.session_id IS NOT NULL ORDER BY c.session_id, c.occurred_at),
             ARRAY(SELECT c.occurred_at FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type <> 'refund'
                      AND c.session_id IS NOT NULL ORDER BY c.session_id, c.occurred_at))) AS day;
    recomputes := recomputes + n;
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
  DROP TABLE change_work;
END
$$;

ALTER FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer) OWNER TO skeldir_owner;

--
-- Name: FUNCTION request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer) IS 'Coalesced downstream work for a batch of ingestion inserts: realtime revenue per tenant, then recomputes per tenant and day.';

--
-- Name: request_matview_refreshes(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_matview_refreshes(cadence text DEFAULT NULL::text) RETURNS integer
    LANGUAGE sql
    BEGIN ATOMIC
 SELECT (count(skeldir.enqueue('matview.refresh'::text, jsonb_build_object('view', m.name), NULL::uuid, NULL::timestamp with time zone, ('matview.refresh:'::text || m.name))))::integer AS count
    FROM skeldir.matviews m
   WHERE (m.cadence = COALESCE(request_matview_refreshes.cadence, m.cadence));
END;

ALTER FUNCTION skeldir.request_matview_refreshes(cadence text) OWNER TO skeldir_owner;

--
-- Name: request_matview_refreshes_reading(regclass, text, timestamp with time zone); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_matview_refreshes_reading(changed regclass, cadence text DEFAULT NULL::text, due timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS integer
    LANGUAGE sql
    BEGIN ATOMIC
 WITH RECURSIVE reader(relid) AS (
          SELECT rw.ev_class
            FROM (pg_depend d
              JOIN pg_rewrite rw ON ((rw.oid = d.objid)))
           WHERE ((d.classid = ('pg_rewrite'::regclass)::oid) AND (d.refobjid = (request_matview_refreshes_reading.changed)::oid) AND (rw.ev_class <> (request_matview_refreshes_reading.changed)::oid))
         UNION
          SELECT rw.ev_class
            FROM ((reader r
              JOIN pg_depend d ON (((d.refobjid = r.relid) AND (d.classid = ('pg_rewrite'::regclass)::oid))))
              JOIN pg_rewrite rw ON (((rw.oid = d.objid) AND (rw.ev_class <> r.relid))))
         )
  SELECT (count(skeldir.enqueue('matview.refresh'::text, jsonb_build_object('view', m.name), NULL::uuid, request_matview_refreshes_reading.due, ('matview.refresh:'::text || m.name))))::integer AS count
    FROM skeldir.matviews m
   WHERE ((m.cadence = COALESCE(request_matview_refreshes_reading.cadence, m.cadence)) AND (EXISTS ( SELECT 1
            FROM (reader r
              JOIN pg_class c ON ((c.oid = r.relid)))
           WHERE ((c.relname = m.name) AND (c.relnamespace = ('analytics'::regnamespace)::oid)))));
END;

ALTER FUNCTION skeldir.request_matview_refreshes_reading(changed regclass, cadence text, due timestamp with time zone) OWNER TO skeldir_owner;

--
-- Name: request_reconciliation(timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.request_reconciliation(window_start timestamp with time zone, window_end timestamp with time zone) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  run uuid := gen_random_uuid();
  job bigint;
  pending uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'a reconciliation is requested for the tenant in context, and there is none'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF window_start IS NULL OR window_end IS NULL OR window_start >= window_end THEN
    RAISE EXCEPTION 'reconciliation window [%, %) is not a window: start must precede end',
                    coalesce(window_start::text, 'NULL'), coalesce(window_end::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  LOOP
    job := skeldir.enqueue('reconciliation.run', jsonb_build_object('run_id', run), tenant, NULL,
                           'reconciliation.run:' || tenant);
    SELECT (j.args ->> 'run_id')::uuid INTO pending FROM skeldir.jobs AS j WHERE j.id = job;
    IF pending IS NULL THEN
      RAISE EXCEPTION 'pending reconciliation job % names no run', job USING ERRCODE = 'data_exception';
    END IF;
    IF pending = run THEN
      INSERT INTO skeldir.reconciliation_runs AS x (tenant_id, id, window_start, window_end, job_id)
      VALUES (tenant, run, window_start, window_end, job);
      INSERT INTO skeldir.reconciliation_platform_status AS s (tenant_id, platform, status, last_run_id)
      SELECT tenant, p.platform, 'pending', run FROM skeldir.reconciliation_platforms AS p
      ON CONFLICT (tenant_id, platform) DO UPDATE
         SET status = 'pending', last_run_id = excluded.last_run_id, error = NULL, updated_at = excluded.updated_at;
      RETURN run;
    END IF;
    -- Coalesced, unless a dispatcher claims the job this very moment: then
    -- it is running, and the request asks again.
    PERFORM FROM skeldir.jobs AS j WHERE j.id = job AND j.state = 'available' FOR UPDATE;
    EXIT WHEN FOUND;
  END LOOP;
  UPDATE skeldir.reconciliation_runs AS x
     SET window_start = least(x.window_start, request_reconciliation.window_start),
         window_end = greatest(x.window_end, request_reconciliation.window_end)
   WHERE x.id = pending AND x.status = 'queued';
  RETURN pending;
END
$$;

ALTER FUNCTION skeldir.request_reconciliation(window_start timestamp with time zone, window_end timestamp with time zone) OWNER TO skeldir_owner;

--
-- Name: required(jsonb, text[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.required(doc jsonb, VARIADIC path text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
  v jsonb := doc #> path;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) NOT IN ('string', 'number') OR btrim(v #>> '{}') = '' THEN
    PERFORM skeldir.unusable('missing_field', format('required field %s is missing or not a scalar',
                                                     array_to_string(path, '.')));
  END IF;
  RETURN v #>> '{}';
END
$$;

ALTER FUNCTION skeldir.required(doc jsonb, VARIADIC path text[]) OWNER TO skeldir_owner;

--
-- Name: resolve_tenant(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.resolve_tenant(api_key text) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
DECLARE
  digest bytea := sha256(convert_to(coalesce(api_key, ''), 'UTF8'));
  found  uuid;
BEGIN
  -- Whatever tenant an earlier call in this transaction entered, a key
  -- that resolves to nothing leaves no tenant behind.
  PERFORM skeldir.set_tenant_context('', true);
  IF coalesce(api_key, '') = '' THEN
    RETURN NULL;
  END IF;
  PERFORM skeldir.set_local('app.presented_key_hash', encode(digest, 'hex'), true);
  SELECT k.tenant_id INTO found
    FROM skeldir.tenant_api_keys AS k
   WHERE k.key_hash = digest AND k.revoked_at IS NULL;
  PERFORM skeldir.set_local('app.presented_key_hash', '', true);
  IF found IS NOT NULL THEN
    PERFORM skeldir.set_tenant_context(found::text, true);
  END IF;
  RETURN found;
END
$$;

ALTER FUNCTION skeldir.resolve_tenant(api_key text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION resolve_tenant(api_key text); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.resolve_tenant(api_key text) IS 'Tenant owning an active API key, or NULL; makes it (or no tenant) the context of the transaction.';

--
-- Name: resolve_webhook_tenant(skeldir.vendor, jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
DECLARE
  token text := headers ->> ':url-token';
  digest bytea;
  found uuid;
BEGIN
  IF token IS NULL THEN
    RETURN skeldir.resolve_tenant(headers ->> 'x-skeldir-tenant-key');
  END IF;
  PERFORM skeldir.set_tenant_context('', true);
  digest := sha256(convert_to(token, 'UTF8'));
  PERFORM skeldir.set_local('app.presented_webhook_token_hash', encode(digest, 'hex'), true);
  SELECT t.tenant_id INTO found
    FROM skeldir.tenant_webhook_tokens AS t
   WHERE t.token_hash = digest AND t.revoked_at IS NULL AND t.vendor = resolve_webhook_tenant.vendor;
  PERFORM skeldir.set_local('app.presented_webhook_token_hash', '', true);
  IF found IS NOT NULL THEN
    PERFORM skeldir.set_tenant_context(found::text, true);
  END IF;
  RETURN found;
END
$$;

ALTER FUNCTION skeldir.resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb) OWNER TO skeldir_owner;

--
-- Name: FUNCTION resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb) IS 'Tenant named by a delivery''s URL token (for this vendor) or tenant key, or NULL; makes it the context.';

--
-- Name: rewrite_function(regprocedure, text, text, integer); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.rewrite_function(f regprocedure, old text, new text, expected integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  def text := pg_get_functiondef(f);
  found integer := (length(def) - length(replace(def, old, ''))) / length(old);
BEGIN
  IF found <> expected THEN
    RAISE EXCEPTION '% has % places "%", not %', f, found, old, expected;
  END IF;
  EXECUTE replace(def, old, new);
END
$$;

ALTER FUNCTION skeldir.rewrite_function(f regprocedure, old text, new text, expected integer) OWNER TO skeldir_owner;

--
-- Name: FUNCTION rewrite_function(f regprocedure, old text, new text, expected integer); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.rewrite_function(f regprocedure, old text, new text, expected integer) IS 'For migrations: redefines f from its catalog definition with old replaced by new, failing unless old occurs exactly expected times.';

--
-- Name: rsa_sha256_valid(bytea, bytea, numeric, numeric); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.rsa_sha256_valid(message bytea, signature bytea, modulus numeric, exponent numeric) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
  k integer := length(signature);
  s numeric;
BEGIN
  -- The signature is as long as the modulus, and smaller than it.
  IF message IS NULL OR modulus IS NULL OR exponent IS NULL OR k IS NULL OR k < 64
     OR modulus >= 256::numeric ^ k OR modulus < 256::numeric ^ (k - 1) THEN
    RETURN false;
  END IF;
  s := skeldir.unsigned_number(signature);
  IF s >= modulus THEN
    RETURN false;
  END IF;
  RETURN skeldir.mod_pow(s, exponent, modulus) = skeldir.unsigned_number(
    '\x0001'::bytea || decode(repeat('ff', k - 3 - 51), 'hex') || '\x00'::bytea
    || '\x3031300d060960864801650304020105000420'::bytea || sha256(message));
END
$$;

ALTER FUNCTION skeldir.rsa_sha256_valid(message bytea, signature bytea, modulus numeric, exponent numeric) OWNER TO skeldir_owner;

--
-- Name: run_job_body(bigint, regproc, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.run_job_body(job_id bigint, body regproc, args jsonb, tenant uuid) RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
  PERFORM skeldir.set_tenant_context(coalesce(tenant::text, ''), true);
  EXECUTE format('SELECT %s($1, $2)', body) USING args, job_id;
  PERFORM skeldir.set_tenant_context('', true);
END
$_$;

ALTER FUNCTION skeldir.run_job_body(job_id bigint, body regproc, args jsonb, tenant uuid) OWNER TO skeldir_owner;

--
-- Name: scan_pii_at_rest(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.scan_pii_at_rest() RETURNS TABLE(table_name text, column_name text, rows_with_pii bigint, pii_keys text[])
    LANGUAGE plpgsql STABLE
    AS $_$
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
$_$;

ALTER FUNCTION skeldir.scan_pii_at_rest() OWNER TO skeldir_owner;

--
-- Name: FUNCTION scan_pii_at_rest(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.scan_pii_at_rest() IS 'Per text/JSON column of every tenant table: the current tenant''s rows holding personal data, and what kind.';

--
-- Name: set_local(text, text, boolean); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.set_local(setting text, value text, for_the_transaction boolean) RETURNS text
    LANGUAGE plpgsql
    AS $_$
BEGIN
  IF for_the_transaction IS NOT TRUE THEN
    RAISE EXCEPTION '% is set for the transaction only', setting USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF setting !~ '^app\.presented_[a-z_]+$' THEN
    RAISE EXCEPTION '% is not a presented credential', setting USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('SET LOCAL %s = %L', setting, coalesce(value, ''));
  RETURN coalesce(value, '');
END
$_$;

ALTER FUNCTION skeldir.set_local(setting text, value text, for_the_transaction boolean) OWNER TO skeldir_owner;

--
-- Name: FUNCTION set_local(setting text, value text, for_the_transaction boolean); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.set_local(setting text, value text, for_the_transaction boolean) IS 'Sets an app.presented_* setting for the transaction (SET LOCAL, which Citus carries to the workers); returns it.';

--
-- Name: set_tenant_context(text, boolean); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.set_tenant_context(tenant text, for_the_transaction boolean) RETURNS text
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF for_the_transaction IS NOT TRUE THEN
    RAISE EXCEPTION 'the tenant context is set for the transaction only' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('SET LOCAL app.current_tenant_id = %L', coalesce(tenant, ''));
  RETURN coalesce(tenant, '');
END
$$;

ALTER FUNCTION skeldir.set_tenant_context(tenant text, for_the_transaction boolean) OWNER TO skeldir_owner;

--
-- Name: FUNCTION set_tenant_context(tenant text, for_the_transaction boolean); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.set_tenant_context(tenant text, for_the_transaction boolean) IS 'Sets app.current_tenant_id for the transaction (SET LOCAL, which Citus carries to the workers); returns it.';

--
-- Name: settle_attempt(bigint, text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.settle_attempt(job_id bigint, error_class text, error_message text) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  j skeldir.jobs;
  k skeldir.job_kinds;
  pending bigint;
BEGIN
  SELECT * INTO j FROM skeldir.jobs AS x WHERE x.id = job_id;
  SELECT * INTO k FROM skeldir.job_kinds AS x WHERE x.kind = j.kind;
  -- A job whose dedupe key is pending again meanwhile needs no retry: the
  -- pending job does the same work, later.
  IF j.dedupe_key IS NOT NULL THEN
    SELECT x.id INTO pending FROM skeldir.jobs AS x WHERE x.dedupe_key = j.dedupe_key AND x.state = 'available';
    IF FOUND THEN
      UPDATE skeldir.jobs AS x
         SET state = 'completed', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL,
             last_error = format('%s (superseded by pending job %s)', error_message, pending)
       WHERE x.id = job_id;
      RETURN 'superseded';
    END IF;
  END IF;
  IF j.attempt < k.max_attempts THEN
    UPDATE skeldir.jobs AS x
       SET state = 'available', leased_by = NULL, leased_until = NULL, last_error = error_message,
           run_at = now() + k.backoff_base * 2 ^ (j.attempt - 1) * (1 + random() / 4)
     WHERE x.id = job_id;
    RETURN 'retried';
  END IF;
  UPDATE skeldir.jobs AS x
     SET state = 'dead', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL,
         last_error = error_message
   WHERE x.id = job_id;
  PERFORM skeldir.set_tenant_context(coalesce(j.tenant_scope, skeldir.system_tenant())::text, true);
  INSERT INTO skeldir.worker_failed_jobs (tenant_id, job_id, task, queue, args, error_class, error_message, retry_count)
  VALUES (coalesce(j.tenant_scope, skeldir.system_tenant()), j.id, j.kind, j.queue, j.args, error_class,
          left(error_message, 2000), j.attempt - 1)
  ON CONFLICT ON CONSTRAINT worker_failed_jobs_tenant_id_job_id_key DO NOTHING;
  PERFORM skeldir.set_tenant_context('', true);
  RETURN 'dead_lettered';
END
$$;

ALTER FUNCTION skeldir.settle_attempt(job_id bigint, error_class text, error_message text) OWNER TO skeldir_owner;

--
-- Name: settle_failure(bigint, text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.settle_failure(job_id bigint, error_class text, error_message text) RETURNS text
    LANGUAGE plpgsql
    AS $_$
DECLARE
  outcome text := skeldir.settle_attempt(job_id, error_class, error_message);
  j skeldir.jobs;
  hook regproc;
BEGIN
  SELECT k.on_failure INTO hook FROM skeldir.jobs AS x JOIN skeldir.job_kinds AS k ON k.kind = x.kind WHERE x.id = job_id;
  IF hook IS NOT NULL THEN
    SELECT * INTO j FROM skeldir.jobs AS x WHERE x.id = job_id;
    PERFORM skeldir.set_tenant_context(coalesce(j.tenant_scope::text, ''), true);
    EXECUTE format('SELECT %s($1, $2)', hook) USING j, outcome;
    PERFORM skeldir.set_tenant_context('', true);
  END IF;
  RETURN outcome;
END
$_$;

ALTER FUNCTION skeldir.settle_failure(job_id bigint, error_class text, error_message text) OWNER TO skeldir_owner;

--
-- Name: signature_valid(skeldir.vendor, jsonb, bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.signature_valid(vendor skeldir.vendor, headers jsonb, body bytea) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  secrets bytea[];
  stripe_header text := headers ->> 'stripe-signature';
  stripe_t text;
  pinned skeldir.tenant_paypal_certificates;
BEGIN
  SELECT array_agg(convert_to(s.secret, 'UTF8')) INTO secrets
    FROM skeldir.tenant_webhook_secrets AS s
   WHERE s.tenant_id = tenant_in_context AND s.vendor = signature_valid.vendor
     AND s.revoked_at IS NULL;

  CASE vendor
  WHEN 'shopify', 'woocommerce' THEN
    -- base64(HMAC-SHA256(secret, body)) in X-Shopify-Hmac-Sha256 / X-WC-Webhook-Signature
    RETURN EXISTS (SELECT 1 FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'base64')
                          = headers ->> CASE vendor WHEN 'shopify' THEN 'x-shopify-hmac-sha256'
                                                    ELSE 'x-wc-webhook-signature' END);
  WHEN 'stripe' THEN
    -- Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...] over "<t>.<body>",
    -- at most 300 s from now.
    stripe_t := substring(stripe_header FROM '(?:^|,)\s*t=([0-9]{1,12})\s*(?:,|$)');
    IF stripe_t IS NULL OR abs(extract(epoch FROM now()) - stripe_t::bigint) > 300 THEN
      RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM unnest(secrets) AS k,
                               regexp_matches(stripe_header, '(?:^|,)\s*v1=([0-9a-fA-F]{64})\s*(?=,|$)', 'g') AS v1
                    WHERE encode(extensions.hmac(convert_to(stripe_t || '.', 'UTF8') || body, k, 'sha256'), 'hex')
                          = lower(v1[1]));
  WHEN 'paypal' THEN
    -- A tenant with a pinned certificate is verified by PayPal's RSA
    -- signature against that certificate's key, here; otherwise
    -- hex(HMAC-SHA256(secret, body)) in PAYPAL-TRANSMISSION-SIG.
    SELECT c.* INTO pinned FROM skeldir.tenant_paypal_certificates AS c
     WHERE c.tenant_id = tenant_in_context AND c.revoked_at IS NULL;
    IF pinned.tenant_id IS NOT NULL THEN
      RETURN skeldir.paypal_transmission_valid(headers, body, pinned);
    END IF;
    RETURN EXISTS (SELECT 1 FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'hex')
                          = lower(headers ->> 'paypal-transmission-sig'));
  END CASE;
END
$_$;

ALTER FUNCTION skeldir.signature_valid(vendor skeldir.vendor, headers jsonb, body bytea) OWNER TO skeldir_owner;

--
-- Name: start_budget_optimization(numeric, text, jsonb, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.start_budget_optimization(total_budget numeric, optimization_goal text, constraints jsonb DEFAULT '{}'::jsonb, options jsonb DEFAULT '{}'::jsonb, request_id uuid DEFAULT NULL::uuid) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  rid uuid := coalesce(request_id, gen_random_uuid());
  inputs jsonb;
  opt_id uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'a budget optimization needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  inputs := skeldir.llm_budget_inputs(total_budget, optimization_goal, constraints, options);
  INSERT INTO skeldir.budget_optimization_jobs AS b (tenant_id, request_id, inputs)
  VALUES (tenant, rid, inputs)
  ON CONFLICT ON CONSTRAINT budget_optimization_jobs_tenant_id_request_id_key DO NOTHING
  RETURNING b.id INTO opt_id;
  RETURN skeldir.llm_job_enqueue('skeldir.budget_optimization_jobs', 'llm.budget_optimization', 'budget_optimization_id',
                                 opt_id, rid);
END
$$;

ALTER FUNCTION skeldir.start_budget_optimization(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_explanation(text, text, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.start_explanation(entity_type text, entity_id text, options jsonb DEFAULT '{}'::jsonb, request_id uuid DEFAULT NULL::uuid) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  id uuid := coalesce(request_id, gen_random_uuid());
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an explanation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.llm_explanation_facts(entity_type, entity_id, options);
  PERFORM skeldir.enqueue('llm.explanation',
                          jsonb_build_object('entity_type', entity_type, 'entity_id', entity_id,
                                             'options', coalesce(options, '{}'), 'request_id', id),
                          tenant, NULL, 'llm.explanation:' || tenant || ':' || id);
  RETURN id;
END
$$;

ALTER FUNCTION skeldir.start_explanation(entity_type text, entity_id text, options jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: start_investigation(text, jsonb, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.start_investigation(question text, context jsonb DEFAULT '{}'::jsonb, request_id uuid DEFAULT NULL::uuid) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  q text := btrim(question);
  rid uuid := coalesce(request_id, gen_random_uuid());
  inv_id uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'an investigation needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF q IS NULL OR length(q) NOT BETWEEN 10 AND 500 THEN
    RAISE EXCEPTION 'question must be 10 to 500 characters' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'question';
  END IF;
  PERFORM skeldir.llm_scope(context);
  -- The same request id twice is the same investigation.
  INSERT INTO skeldir.investigations AS i (tenant_id, request_id, question, context)
  VALUES (tenant, rid, q, coalesce(context, '{}'))
  ON CONFLICT ON CONSTRAINT investigations_tenant_id_request_id_key DO NOTHING
  RETURNING i.id INTO inv_id;
  RETURN skeldir.llm_job_enqueue('skeldir.investigations', 'llm.investigation', 'investigation_id', inv_id, rid);
END
$$;

ALTER FUNCTION skeldir.start_investigation(question text, context jsonb, request_id uuid) OWNER TO skeldir_owner;

--
-- Name: system_tenant(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.system_tenant() RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;

ALTER FUNCTION skeldir.system_tenant() OWNER TO skeldir_owner;

--
-- Name: take_turns(text[]); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.take_turns(VARIADIC keys text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM FROM skeldir.turns AS t
   WHERE t.stripe = ANY (ARRAY(SELECT (hashtextextended(k, 0) & 16383)::integer FROM unnest(keys) AS k))
   ORDER BY t.stripe
     FOR UPDATE;
END
$$;

ALTER FUNCTION skeldir.take_turns(VARIADIC keys text[]) OWNER TO skeldir_owner;

--
-- Name: FUNCTION take_turns(VARIADIC keys text[]); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.take_turns(VARIADIC keys text[]) IS 'Waits for and holds until commit the turns of the keys given (row locks on skeldir.turns, in stripe order).';

--
-- Name: tenant_ids(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.tenant_ids() RETURNS uuid[]
    LANGUAGE plpgsql
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  ids uuid[];
BEGIN
  PERFORM skeldir.set_tenant_context(skeldir.system_tenant()::text, true);
  ids := ARRAY(SELECT t.id FROM skeldir.tenants AS t ORDER BY t.id);
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
  RETURN ids;
END
$$;

ALTER FUNCTION skeldir.tenant_ids() OWNER TO skeldir_owner;

--
-- Name: FUNCTION tenant_ids(); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.tenant_ids() IS 'Ids of all tenants (through the system tenant''s tenant_directory policy); the caller''s context is kept.';

--
-- Name: tenant_tables(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.tenant_tables() RETURNS SETOF regclass
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

ALTER FUNCTION skeldir.tenant_tables() OWNER TO skeldir_owner;

--
-- Name: to_base64url(bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.to_base64url(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(rtrim(encode(data, 'base64'::text), '=
'::text), '+/
'::text, '-_'::text);

ALTER FUNCTION skeldir.to_base64url(data bytea) OWNER TO skeldir_owner;

--
-- Name: to_minor_units(jsonb, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.to_minor_units(amount jsonb, currency text) RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $_$
DECLARE
  iso text := upper(currency);
  exp smallint;
  txt text := CASE jsonb_typeof(amount) WHEN 'string' THEN amount #>> '{}'
                                        WHEN 'number' THEN amount::text END;
  parts text[];
BEGIN
  SELECT c.exponent INTO exp FROM skeldir.currencies AS c WHERE c.code = iso;
  IF exp IS NULL THEN
    RAISE EXCEPTION 'unknown currency %', coalesce(quote_literal(currency), '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_currency';
  END IF;
  parts := regexp_match(btrim(coalesce(txt, '')), '^([0-9]{1,15})(?:\.([0-9]{1,20}))?$');
  IF parts IS NULL THEN
    RAISE EXCEPTION 'amount % is not a non-negative decimal number', coalesce(amount::text, '(none)')
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  IF rtrim(substring(coalesce(parts[2], '') FROM exp + 1), '0') <> '' THEN
    RAISE EXCEPTION 'amount % has more decimal places than % allows (%)', txt, iso, exp
      USING ERRCODE = 'SK422', DETAIL = 'invalid_amount';
  END IF;
  RETURN (parts[1] || rpad(substring(coalesce(parts[2], '') FOR exp), exp, '0'))::bigint;
END
$_$;

ALTER FUNCTION skeldir.to_minor_units(amount jsonb, currency text) OWNER TO skeldir_owner;

--
-- Name: token_header(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.token_header(kid text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN skeldir.to_base64url(convert_to(format('{"alg":"HS256","typ":"JWT","kid":"%s"}'::text, kid), 'UTF8'::name));

ALTER FUNCTION skeldir.token_header(kid text) OWNER TO skeldir_owner;

--
-- Name: touch_key(skeldir.event_type, text, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.touch_key(event_type skeldir.event_type, order_id text, event_id uuid) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((event_type = ANY (ARRAY['purchase'::skeldir.event_type, 'order_update'::skeldir.event_type])) AND (order_id IS NOT NULL)) THEN ('order:'::text || order_id) ELSE (event_id)::text END;

ALTER FUNCTION skeldir.touch_key(event_type skeldir.event_type, order_id text, event_id uuid) OWNER TO skeldir_owner;

--
-- Name: try_take_turn(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.try_take_turn(key text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM FROM skeldir.turns AS t
   WHERE t.stripe = (hashtextextended(key, 0) & 16383)::integer
     FOR UPDATE SKIP LOCKED;
  RETURN FOUND;
END
$$;

ALTER FUNCTION skeldir.try_take_turn(key text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION try_take_turn(key text); Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON FUNCTION skeldir.try_take_turn(key text) IS 'Takes the turn of a key unless another transaction holds it; whether it did (held until commit).';

--
-- Name: unpin_paypal_certificate(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.unpin_paypal_certificate() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  at timestamptz := now();
  unpinned bigint;
BEGIN
  UPDATE skeldir.tenant_paypal_certificates AS c SET revoked_at = at
   WHERE c.tenant_id = tenant AND c.revoked_at IS NULL;
  GET DIAGNOSTICS unpinned = ROW_COUNT;
  RETURN unpinned;
END
$$;

ALTER FUNCTION skeldir.unpin_paypal_certificate() OWNER TO skeldir_owner;

--
-- Name: unsigned_number(bytea); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.unsigned_number(data bytea) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  n numeric := 0;
  run bytea;
  i integer := 0;
BEGIN
  WHILE i < length(data) LOOP
    run := substring(data FROM i + 1 FOR 7);
    n := n * (1::bigint << (8 * length(run))) + ('x' || lpad(encode(run, 'hex'), 16, '0'))::bit(64)::bigint;
    i := i + 7;
  END LOOP;
  RETURN n;
END
$$;

ALTER FUNCTION skeldir.unsigned_number(data bytea) OWNER TO skeldir_owner;

--
-- Name: unusable(text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.unusable(error_type text, message text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = 'SK422', DETAIL = error_type;
END
$$;

ALTER FUNCTION skeldir.unusable(error_type text, message text) OWNER TO skeldir_owner;

--
-- Name: url_param(text, text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.url_param(url text, name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN NULLIF(replace((regexp_match(url, (('[?&]'::text || name) || '=([^&#]*)'::text)))[1], '+'::text, ' '::text), ''::text);

ALTER FUNCTION skeldir.url_param(url text, name text) OWNER TO skeldir_owner;

--
-- Name: users; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.users (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT users_check CHECK (((disabled_at IS NULL) OR (disabled_at >= created_at))),
    CONSTRAINT users_email_check CHECK (((email = lower(email)) AND (email = btrim(email)) AND (length(email) <= 254))),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~ '^\$2[abxy]\$[0-9]{2}\$'::text))
);

ALTER TABLE ONLY skeldir.users FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.users OWNER TO skeldir_owner;

--
-- Name: TABLE users; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.users IS 'Dashboard users; email is normalized (trimmed, NFC, lower case) and unique across tenants; password_hash is bcrypt.';

--
-- Name: user_by_email(text); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.user_by_email(email text) RETURNS skeldir.users
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  match skeldir.users;
BEGIN
  SELECT * INTO match FROM skeldir.users AS u WHERE u.tenant_id = tenant AND u.email = skeldir.normalize_email(user_by_email.email) FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no user % in this tenant', skeldir.normalize_email(email)
      USING ERRCODE = 'no_data_found', COLUMN = 'email';
  END IF;
  RETURN match;
END
$$;

ALTER FUNCTION skeldir.user_by_email(email text) OWNER TO skeldir_owner;

--
-- Name: utc_time(jsonb); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.utc_time(value jsonb) RETURNS timestamp with time zone
    LANGUAGE plpgsql IMMUTABLE
    AS $_$
DECLARE
  t text := value #>> '{}';
BEGIN
  IF value IS NULL OR jsonb_typeof(value) = 'null' THEN
    RETURN NULL;
  ELSIF jsonb_typeof(value) = 'number' AND t ~ '^[0-9]{1,11}$' THEN
    RETURN to_timestamp(t::bigint);
  ELSIF jsonb_typeof(value) = 'string'
        AND t ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$' THEN
    BEGIN
      IF t ~ '(Z|[+-]\d{2}(:?\d{2})?)$' THEN
        RETURN t::timestamptz;
      END IF;
      RETURN t::timestamp AT TIME ZONE 'UTC';
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      NULL;  -- falls through to the failure below
    END;
  END IF;
  PERFORM skeldir.unusable('invalid_timestamp', format('timestamp %s is not ISO 8601 or Unix seconds', value));
  RETURN NULL;
END
$_$;

ALTER FUNCTION skeldir.utc_time(value jsonb) OWNER TO skeldir_owner;

--
-- Name: valid_day_range(date, date); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.valid_day_range(from_day date, to_day date) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
  IF from_day IS NULL OR to_day IS NULL THEN
    RAISE EXCEPTION 'a date range needs both ends' USING ERRCODE = 'invalid_parameter_value',
      COLUMN = CASE WHEN from_day IS NULL THEN 'start_date' ELSE 'end_date' END;
  END IF;
  IF from_day > to_day THEN
    RAISE EXCEPTION 'the range starts (%) after it ends (%)', from_day, to_day
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'start_date';
  END IF;
  IF to_day - from_day > 366 THEN
    RAISE EXCEPTION 'a range spans at most 366 days, not %', to_day - from_day
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'end_date';
  END IF;
  RETURN true;
END
$$;

ALTER FUNCTION skeldir.valid_day_range(from_day date, to_day date) OWNER TO skeldir_owner;

--
-- Name: webhook_token_key; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.webhook_token_key (
    singleton boolean DEFAULT true NOT NULL,
    key bytea DEFAULT extensions.gen_random_bytes(32) NOT NULL,
    CONSTRAINT webhook_token_key_key_check CHECK ((length(key) = 32)),
    CONSTRAINT webhook_token_key_singleton_check CHECK (singleton)
);

ALTER TABLE skeldir.webhook_token_key OWNER TO skeldir_owner;

--
-- Name: TABLE webhook_token_key; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.webhook_token_key IS 'The key webhook URL tokens are derived from; one row, readable by the owner only.';

--
-- Name: webhook_token(uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.webhook_token(token_id uuid) RETURNS text
    LANGUAGE sql STABLE
    RETURN ('whk_'::text || "left"(encode(extensions.hmac(convert_to((token_id)::text, 'UTF8'::name), (SELECT k.key FROM skeldir.webhook_token_key k), 'sha256'::text), 'hex'::text), 40));

ALTER FUNCTION skeldir.webhook_token(token_id uuid) OWNER TO skeldir_owner;

--
-- Name: webhook_url(skeldir.vendor, uuid); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.webhook_url(vendor skeldir.vendor, token_id uuid) RETURNS text
    LANGUAGE sql STABLE
    RETURN ((('/hooks/'::text || (vendor)::text) || '/'::text) || skeldir.webhook_token(token_id));

ALTER FUNCTION skeldir.webhook_url(vendor skeldir.vendor, token_id uuid) OWNER TO skeldir_owner;

--
-- Name: webhook_urls(); Type: FUNCTION; Schema: skeldir; Owner: skeldir_owner
--

CREATE FUNCTION skeldir.webhook_urls() RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  covered skeldir.vendor[];
  vendors skeldir.vendor[];
  ids uuid[];
  made timestamptz[];
  prefixes text[];
BEGIN
  PERFORM skeldir.take_turns('webhook_tokens/' || tenant);
  -- A vendor without an active token gets one.
  SELECT coalesce(array_agg(DISTINCT t.vendor), '{}') INTO covered FROM skeldir.tenant_webhook_tokens AS t
   WHERE t.tenant_id = tenant AND t.revoked_at IS NULL;
  PERFORM skeldir.issue_webhook_token(v)
     FROM unnest(enum_range(NULL::skeldir.vendor)) AS v
    WHERE v <> ALL (covered);
  -- The active tokens, newest first per vendor; their URLs are made from
  -- the token key, apart from the read.
  SELECT array_agg(t.vendor ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.id ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.created_at ORDER BY t.vendor, t.created_at DESC, t.id),
         array_agg(t.prefix ORDER BY t.vendor, t.created_at DESC, t.id)
    INTO vendors, ids, made, prefixes
    FROM skeldir.tenant_webhook_tokens AS t WHERE t.tenant_id = tenant AND t.revoked_at IS NULL;
  RETURN (
    WITH token AS (
      SELECT x.vendor, x.id, x.created_at, x.prefix, x.n
        FROM unnest(vendors, ids, made, prefixes) WITH ORDINALITY AS x(vendor, id, created_at, prefix, n)
    )
    SELECT jsonb_build_object(
             'webhook_urls', (SELECT jsonb_object_agg(f.vendor, skeldir.webhook_url(f.vendor, f.id))
                                FROM (SELECT DISTINCT ON (k.vendor) k.vendor, k.id FROM token AS k
                                       ORDER BY k.vendor, k.n) AS f),
             'active_tokens', (SELECT jsonb_agg(jsonb_build_object('vendor', k.vendor, 'prefix', k.prefix,
                                                                   'created_at', k.created_at,
                                                                   'url', skeldir.webhook_url(k.vendor, k.id))
                                                ORDER BY k.n)
                                 FROM token AS k)));
END
$$;

ALTER FUNCTION skeldir.webhook_urls() OWNER TO skeldir_owner;

--
-- Name: attribution_recompute(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  from_ts timestamptz := coalesce((args ->> 'window_start')::timestamptz, ((args ->> 'day')::date)::timestamp AT TIME ZONE 'UTC');
  to_ts timestamptz := coalesce((args ->> 'window_end')::timestamptz, from_ts + interval '1 day');
  reason text := coalesce(nullif(args ->> 'reason', ''),
                          CASE WHEN args ? 'day' THEN 'new events for the purchases of ' || (args ->> 'day')
                               ELSE format('recompute of [%s, %s)', from_ts, to_ts) END);
BEGIN
  IF skeldir.current_tenant_id() IS NULL OR from_ts IS NULL THEN
    RAISE EXCEPTION 'attribution.recompute needs a tenant and a window (day, or window_start and window_end)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF skeldir.recompute_attribution(from_ts, to_ts, reason, job_id) > 0 THEN
    PERFORM skeldir.request_matview_refreshes_reading('skeldir.attribution_credits');
  END IF;
END
$$;

ALTER FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: beat(text, interval); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.beat(worker_id text, ttl interval) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  alive_until timestamptz;
BEGIN
  IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '5 minutes' THEN
    RAISE EXCEPTION 'a dispatcher''s heartbeat lasts from 1 second to 5 minutes, not %', coalesce(ttl::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO skeldir.dispatchers AS d (id, expires_at)
  VALUES (worker_id, now() + ttl)
  ON CONFLICT (id) DO UPDATE SET beat_at = now(), expires_at = excluded.expires_at
  RETURNING d.expires_at INTO alive_until;
  RETURN alive_until;
END
$$;

ALTER FUNCTION worker.beat(worker_id text, ttl interval) OWNER TO skeldir_owner;

--
-- Name: FUNCTION beat(worker_id text, ttl interval); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.beat(worker_id text, ttl interval) IS 'A dispatcher''s heartbeat: worker_id is alive for ttl from now (its leases are not orphans); returns until when.';

--
-- Name: change_feed_apply(text, jsonb); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.change_feed_apply(leader text, changes jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  f skeldir.change_feed;
  fresh jsonb;
  applied integer;
  txns integer;
  newest pg_lsn;
  newest_at timestamptz;
  work record;
BEGIN
  IF jsonb_typeof(changes) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'changes must be a JSON array of decoded inserts' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(changes) AS c
              WHERE jsonb_typeof(c -> 'lsn') IS DISTINCT FROM 'string' OR NOT c ? 'commit_at') THEN
    RAISE EXCEPTION 'every change needs its transaction''s lsn and commit_at' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO f FROM skeldir.change_feed FOR UPDATE;
  IF f.mode <> 'feed' OR f.leader IS DISTINCT FROM change_feed_apply.leader THEN
    RAISE EXCEPTION 'the change feed is not started by %', leader USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Call worker.change_feed_start(leader) first.';
  END IF;

  SELECT coalesce(jsonb_agg(c), '[]'), count(*), count(DISTINCT c ->> 'lsn'),
         max((c ->> 'lsn')::pg_lsn), max((c ->> 'commit_at')::timestamptz)
    INTO fresh, applied, txns, newest, newest_at
    FROM jsonb_array_elements(changes) AS c
   WHERE (c ->> 'lsn')::pg_lsn > f.processed_lsn;
  work := skeldir.request_change_work(fresh);

  UPDATE skeldir.change_feed AS x
     SET processed_lsn = coalesce(newest, x.processed_lsn), last_commit_at = coalesce(newest_at, x.last_commit_at),
         heartbeat_at = now(), batches = x.batches + 1, transactions = x.transactions + txns,
         changes = x.changes + applied, skipped_changes = x.skipped_changes + jsonb_array_length(change_feed_apply.changes) - applied;
  RETURN jsonb_build_object('applied', applied, 'skipped', jsonb_array_length(change_feed_apply.changes) - applied,
                            'recomputes', work.recomputes, 'refreshes', work.refreshes,
                            'processed_lsn', coalesce(newest, f.processed_lsn)::text);
END
$$;

ALTER FUNCTION worker.change_feed_apply(leader text, changes jsonb) OWNER TO skeldir_owner;

--
-- Name: FUNCTION change_feed_apply(leader text, changes jsonb); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.change_feed_apply(leader text, changes jsonb) IS 'Applies a batch of decoded ingestion inserts exactly once: coalesced jobs and the processed LSN in one transaction.';

--
-- Name: change_feed_fallback(); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.change_feed_fallback() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  f skeldir.change_feed;
  since timestamptz;
  pending jsonb := '[]';
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
  work record;
BEGIN
  -- One caller at a time past this point: a second one would hold its read
  -- of the state table while waiting to lock it, and the two would deadlock.
  PERFORM skeldir.take_turns('change_feed_fallback');
  SELECT * INTO f FROM skeldir.change_feed;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  -- Every ingest transaction that read the mode 'feed' holds its read of
  -- this table until it commits, and every later one waits here and then
  -- reads 'fallback'.
  LOCK TABLE skeldir.change_feed IN ACCESS EXCLUSIVE MODE;
  SELECT * INTO f FROM skeldir.change_feed;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  since := coalesce(f.last_commit_at, f.mode_changed_at) - interval '10 minutes';
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM skeldir.set_tenant_context(t::text, true);
    pending := pending || coalesce((
      SELECT jsonb_agg(jsonb_build_object('table', 'attribution_events', 'tenant_id', e.tenant_id,
                                          'event_type', e.event_type, 'order_id', e.order_id,
                                          'session_id', e.session_id, 'revenue_cents', e.revenue_cents,
                                          'occurred_at', e.occurred_at))
        FROM skeldir.attribution_events AS e
       WHERE e.tenant_id = t AND e.received_at >= since
         AND ((e.event_type = 'purchase' AND e.revenue_cents > 0)
              OR (e.event_type <> 'refund' AND e.session_id IS NOT NULL))),
      '[]');
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
  work := skeldir.request_change_work(pending || '[{"table": "revenue_ledger"}]');
  UPDATE skeldir.change_feed AS x SET mode = 'fallback', mode_changed_at = now(), leader = NULL;
  RETURN jsonb_build_object('mode', 'fallback', 'switched', true, 'since', since,
                            'recomputes', work.recomputes, 'refreshes', work.refreshes, 'slot', f.slot_name);
END
$$;

ALTER FUNCTION worker.change_feed_fallback() OWNER TO skeldir_owner;

--
-- Name: FUNCTION change_feed_fallback(); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.change_feed_fallback() IS 'Takes the downstream work back to the ingest path when the feed''s consumer is gone; a no-op while it beats.';

--
-- Name: change_feed_heartbeat(text, double precision); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.change_feed_heartbeat(leader text, lag_seconds double precision) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  bytes bigint;
  f skeldir.change_feed;
BEGIN
  SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint INTO bytes
    FROM pg_catalog.pg_replication_slots AS s WHERE s.slot_name = skeldir.change_feed_slot();
  UPDATE skeldir.change_feed AS x
     SET heartbeat_at = now(), lag_bytes = coalesce(bytes, 0), lag_seconds = greatest(change_feed_heartbeat.lag_seconds, 0)
   WHERE x.mode = 'feed' AND x.leader = change_feed_heartbeat.leader
  RETURNING * INTO f;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the change feed is not started by %', leader USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN jsonb_build_object('lag_bytes', f.lag_bytes, 'processed_lsn', f.processed_lsn::text,
                            'batches', f.batches, 'changes', f.changes);
END
$$;

ALTER FUNCTION worker.change_feed_heartbeat(leader text, lag_seconds double precision) OWNER TO skeldir_owner;

--
-- Name: change_feed; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.change_feed (
    singleton boolean DEFAULT true NOT NULL,
    mode text DEFAULT 'fallback'::text NOT NULL,
    mode_changed_at timestamp with time zone DEFAULT now() NOT NULL,
    slot_name text,
    leader text,
    processed_lsn pg_lsn DEFAULT '0/0'::pg_lsn NOT NULL,
    last_commit_at timestamp with time zone,
    heartbeat_at timestamp with time zone,
    lag_bytes bigint DEFAULT 0 NOT NULL,
    lag_seconds double precision DEFAULT 0 NOT NULL,
    batches bigint DEFAULT 0 NOT NULL,
    transactions bigint DEFAULT 0 NOT NULL,
    changes bigint DEFAULT 0 NOT NULL,
    skipped_changes bigint DEFAULT 0 NOT NULL,
    stale_after interval DEFAULT '00:01:00'::interval NOT NULL,
    CONSTRAINT change_feed_mode_check CHECK ((mode = ANY (ARRAY['fallback'::text, 'feed'::text]))),
    CONSTRAINT change_feed_singleton_check CHECK (singleton),
    CONSTRAINT change_feed_stale_after_check CHECK ((stale_after > '00:00:00'::interval))
);

ALTER TABLE skeldir.change_feed OWNER TO skeldir_owner;

--
-- Name: TABLE change_feed; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.change_feed IS 'Change feed state: mode (fallback|feed), slot, last processed commit LSN, heartbeat, lag and counters.';

--
-- Name: change_feed_mode(); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.change_feed_mode() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT jsonb_build_object('feed', ((w.level = 'logical'::text) AND r.may), 'reason',
         CASE
             WHEN (w.level <> 'logical'::text) THEN format('wal_level is %s, not logical'::text, w.level)
             WHEN (NOT r.may) THEN format('role %s lacks the REPLICATION attribute'::text, SESSION_USER)
             ELSE 'wal_level is logical and the role may replicate'::text
         END, 'wal_level', w.level, 'slot', skeldir.change_feed_slot(), 'publication', 'skeldir_ingest', 'mode', f.mode) AS jsonb_build_object
    FROM ( SELECT current_setting('wal_level'::text) AS level) w,
     ( SELECT COALESCE(bool_or((a.rolreplication OR a.rolsuper)), false) AS may
            FROM pg_roles a
           WHERE (a.rolname = SESSION_USER)) r,
     skeldir.change_feed f;
END;

ALTER FUNCTION worker.change_feed_mode() OWNER TO skeldir_owner;

--
-- Name: FUNCTION change_feed_mode(); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.change_feed_mode() IS 'Whether this connection''s login role may run the change feed here: {feed, reason, wal_level, slot, publication, mode}.';

--
-- Name: change_feed_start(text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.change_feed_start(leader text) RETURNS pg_lsn
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  processed pg_lsn;
BEGIN
  PERFORM FROM skeldir.leaders AS l
   WHERE l.name = 'change_feed' AND l.leader_id = change_feed_start.leader AND l.expires_at > now()
     FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% does not lead the change feed', leader USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Elect it first: worker.elect(''change_feed'', leader, ttl).';
  END IF;
  UPDATE skeldir.change_feed AS f
     SET mode = 'feed', mode_changed_at = CASE WHEN f.mode = 'feed' THEN f.mode_changed_at ELSE now() END,
         leader = change_feed_start.leader, slot_name = skeldir.change_feed_slot(), heartbeat_at = now()
  RETURNING f.processed_lsn INTO processed;
  RETURN processed;
END
$$;

ALTER FUNCTION worker.change_feed_start(leader text) OWNER TO skeldir_owner;

--
-- Name: dispatchers; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.dispatchers (
    id text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    beat_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT dispatchers_id_check CHECK ((id <> ''::text))
);

ALTER TABLE skeldir.dispatchers OWNER TO skeldir_owner;

--
-- Name: TABLE dispatchers; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.dispatchers IS 'Dispatcher heartbeats: a dispatcher is alive until expires_at. Written only through worker.beat, worker.claim and the lease reaper.';

--
-- Name: job_kinds; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.job_kinds (
    kind text NOT NULL,
    queue skeldir.queue NOT NULL,
    body regproc NOT NULL,
    soft_limit interval DEFAULT '00:05:00'::interval NOT NULL,
    hard_limit interval DEFAULT '00:06:00'::interval NOT NULL,
    max_attempts integer DEFAULT 4 NOT NULL,
    backoff_base interval DEFAULT '00:00:01'::interval NOT NULL,
    batchable boolean DEFAULT false NOT NULL,
    fault boolean DEFAULT false NOT NULL,
    on_failure regproc,
    CONSTRAINT job_kinds_check CHECK ((hard_limit > soft_limit)),
    CONSTRAINT job_kinds_kind_check CHECK ((kind ~ '^[a-z_]+\.[a-z_]+$'::text)),
    CONSTRAINT job_kinds_max_attempts_check CHECK ((max_attempts >= 1))
);

ALTER TABLE skeldir.job_kinds OWNER TO skeldir_owner;

--
-- Name: claim(text, integer, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.claim(queue text, max_jobs integer, worker_id text) RETURNS TABLE(job_id bigint, kind text, attempt integer, soft_limit_ms bigint)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH claimed AS (
          SELECT c.id
            FROM (skeldir.jobs c
              JOIN skeldir.job_kinds k_1 ON ((k_1.kind = c.kind)))
           WHERE ((c.queue = (claim.queue)::skeldir.queue) AND (c.state = 'available'::skeldir.job_state) AND (c.run_at <= now()) AND (NOT k_1.batchable))
           ORDER BY c.run_at, c.id
          LIMIT claim.max_jobs
          FOR NO KEY UPDATE OF c SKIP LOCKED
         ), registered AS (
          INSERT INTO skeldir.dispatchers AS d (id, expires_at)  SELECT claim.worker_id AS worker_id,
                     (now() + '00:00:10'::interval)
                   WHERE (EXISTS ( SELECT 1
                            FROM claimed claimed_1)) ON CONFLICT(id) DO UPDATE SET beat_at = now(), expires_at = GREATEST(d.expires_at, excluded.expires_at)
         )
  UPDATE skeldir.jobs AS j SET state = 'running'::skeldir.job_state, attempt = (j.attempt + 1), started_at = clock_timestamp(), leased_by = claim.worker_id, leased_until = (now() + k.hard_limit)
    FROM claimed,
     skeldir.job_kinds k
   WHERE ((j.id = claimed.id) AND (k.kind = j.kind))
   RETURNING j.id,
     j.kind,
     j.attempt,
     ((EXTRACT(epoch FROM k.soft_limit) * (1000)::numeric))::bigint AS int8;
END;

ALTER FUNCTION worker.claim(queue text, max_jobs integer, worker_id text) OWNER TO skeldir_owner;

--
-- Name: elect(text, text, interval); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.elect(name text, leader_id text, ttl interval) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '5 minutes' THEN
    RAISE EXCEPTION 'a leadership lease lasts from 1 second to 5 minutes, not %', coalesce(ttl::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO skeldir.leaders AS l (name, leader_id, elected_at, expires_at)
  VALUES (elect.name, elect.leader_id, now(), now() + ttl)
  ON CONFLICT ON CONSTRAINT leaders_pkey DO UPDATE
     SET leader_id = excluded.leader_id,
         elected_at = CASE WHEN l.leader_id = excluded.leader_id THEN l.elected_at ELSE excluded.elected_at END,
         expires_at = excluded.expires_at
   WHERE l.leader_id = excluded.leader_id OR l.expires_at <= now();
  RETURN FOUND;
END
$$;

ALTER FUNCTION worker.elect(name text, leader_id text, ttl interval) OWNER TO skeldir_owner;

--
-- Name: FUNCTION elect(name text, leader_id text, ttl interval); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.elect(name text, leader_id text, ttl interval) IS 'Elects leader_id to lead name (scheduler, change_feed) for ttl, or extends its lease; false while another''s lease is fresh.';

--
-- Name: enqueue(text, jsonb, uuid, timestamp with time zone, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.enqueue(kind text, args jsonb DEFAULT '{}'::jsonb, tenant uuid DEFAULT NULL::uuid, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, dedupe_key text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    RETURN skeldir.enqueue(kind, args, tenant, run_at, dedupe_key);

ALTER FUNCTION worker.enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text) OWNER TO skeldir_owner;

--
-- Name: enqueue_due_schedules(); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.enqueue_due_schedules() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  s skeldir.schedules;
  fired integer := 0;
BEGIN
  FOR s IN SELECT * FROM skeldir.schedules AS x WHERE x.enabled AND x.next_run_at <= now()
              FOR UPDATE SKIP LOCKED LOOP
    PERFORM skeldir.enqueue(s.kind, s.args, NULL, NULL,
                            'schedule:' || s.name || ':' || extract(epoch FROM s.next_run_at)::bigint);
    UPDATE skeldir.schedules AS x
       SET next_run_at = greatest(s.next_run_at + s.every, now())
     WHERE x.name = s.name;
    fired := fired + 1;
  END LOOP;
  RETURN fired;
END
$$;

ALTER FUNCTION worker.enqueue_due_schedules() OWNER TO skeldir_owner;

--
-- Name: execute(bigint, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.execute(job_id bigint, worker_id text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
  j skeldir.jobs;
BEGIN
  SELECT * INTO j FROM skeldir.jobs AS x
   WHERE x.id = job_id AND x.state = 'running' AND x.leased_by = worker_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'job % is not leased to %', job_id, worker_id USING ERRCODE = 'lock_not_available';
  END IF;
  PERFORM skeldir.run_job_body(j.id, (SELECT k.body FROM skeldir.job_kinds AS k WHERE k.kind = j.kind),
                               j.args, j.tenant_scope);
  UPDATE skeldir.jobs AS x
     SET state = 'completed', finished_at = clock_timestamp(), leased_by = NULL, leased_until = NULL
   WHERE x.id = job_id;
END
$$;

ALTER FUNCTION worker.execute(job_id bigint, worker_id text) OWNER TO skeldir_owner;

--
-- Name: fail(bigint, text, text, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.fail(job_id bigint, worker_id text, error_class text, error_message text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
  PERFORM FROM skeldir.jobs AS x
   WHERE x.id = job_id AND x.state = 'running' AND x.leased_by = worker_id
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_leased';
  END IF;
  RETURN skeldir.settle_failure(job_id, error_class, error_message);
END
$$;

ALTER FUNCTION worker.fail(job_id bigint, worker_id text, error_class text, error_message text) OWNER TO skeldir_owner;

--
-- Name: fault_crash_after_write(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.fault_crash_after_write(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  attempt integer := (SELECT j.attempt FROM skeldir.jobs AS j WHERE j.id = job_id);
BEGIN
  INSERT INTO skeldir.job_side_effects (job_id, attempt) VALUES (job_id, attempt);
  IF attempt = 1 THEN
    PERFORM pg_sleep(coalesce((args ->> 'hang_seconds')::double precision, 3600));
  END IF;
END
$$;

ALTER FUNCTION worker.fault_crash_after_write(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: fault_poison_pill(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.fault_poison_pill(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'poison pill % swallowed', job_id USING ERRCODE = 'raise_exception';
END
$$;

ALTER FUNCTION worker.fault_poison_pill(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: fault_runaway(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.fault_runaway(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_sleep(coalesce((args ->> 'seconds')::double precision, 3600));
END
$$;

ALTER FUNCTION worker.fault_runaway(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: health_probe(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.health_probe(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN END $$;

ALTER FUNCTION worker.health_probe(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: housekeeping_ping(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.housekeeping_ping(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN END $$;

ALTER FUNCTION worker.housekeeping_ping(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: llm_budget_optimization(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  opt skeldir.budget_optimization_jobs;
BEGIN
  IF skeldir.llm_job_begin('skeldir.budget_optimization_jobs', 'budget optimization', args, 'budget_optimization_id') THEN
    SELECT * INTO opt FROM skeldir.budget_optimization_jobs AS b
     WHERE b.tenant_id = tenant_in_context AND b.id = (args ->> 'budget_optimization_id')::uuid;
    PERFORM skeldir.llm_job_finish('skeldir.budget_optimization_jobs', opt.id, opt.request_id, 'budget_optimization',
                                   'Explain the recommended split in a short paragraph, citing only these facts.',
                                   skeldir.llm_budget_facts(opt.inputs));
  END IF;
END
$$;

ALTER FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: llm_explanation(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.llm_explanation(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF args ->> 'request_id' IS NULL THEN
    RAISE EXCEPTION 'llm.explanation needs a request_id' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.explain(args ->> 'entity_type', args ->> 'entity_id', coalesce(args -> 'options', '{}'),
                          (args ->> 'request_id')::uuid);
END
$$;

ALTER FUNCTION worker.llm_explanation(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: llm_investigation(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.llm_investigation(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  tenant_in_context uuid := skeldir.current_tenant_id();
  inv skeldir.investigations;
BEGIN
  IF skeldir.llm_job_begin('skeldir.investigations', 'investigation', args, 'investigation_id') THEN
    SELECT * INTO inv FROM skeldir.investigations AS i
     WHERE i.tenant_id = tenant_in_context AND i.id = (args ->> 'investigation_id')::uuid;
    PERFORM skeldir.llm_job_finish('skeldir.investigations', inv.id, inv.request_id, 'investigation',
                                   'Synthesize the findings in a short paragraph, citing only these facts.',
                                   skeldir.llm_investigation_facts(inv.question, inv.context));
  END IF;
END
$$;

ALTER FUNCTION worker.llm_investigation(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: matview_pulse(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.matview_pulse(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NOT coalesce(args ->> 'cadence' IN ('realtime', 'daily'), false) THEN
    RAISE EXCEPTION 'matview.pulse needs a cadence, realtime or daily' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.request_matview_refreshes(args ->> 'cadence');
END
$$;

ALTER FUNCTION worker.matview_pulse(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: matview_refresh(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.matview_refresh(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF skeldir.refresh_matview(args ->> 'view') = 'skipped' THEN
    PERFORM skeldir.enqueue('matview.refresh', jsonb_build_object('view', args ->> 'view'), NULL,
                            now() + interval '1 second', 'matview.refresh:' || (args ->> 'view'));
  END IF;
END
$$;

ALTER FUNCTION worker.matview_refresh(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: matview_refresh_all(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.matview_refresh_all(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN PERFORM skeldir.request_matview_refreshes(); END $$;

ALTER FUNCTION worker.matview_refresh_all(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: matview_refresh_stats(); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.matview_refresh_stats() RETURNS TABLE(view_name text, outcome text, refreshes bigint, seconds double precision, last_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 SELECT m.name,
     o.outcome,
     COALESCE(s.refreshes, (0)::bigint) AS "coalesce",
     COALESCE(s.seconds, (0)::double precision) AS "coalesce",
     s.last_at
    FROM ((skeldir.matviews m
      CROSS JOIN ( VALUES ('refreshed'::text), ('skipped'::text), ('failed'::text)) o(outcome))
      LEFT JOIN skeldir.matview_refresh_stats s ON (((s.view_name = m.name) AND (s.outcome = o.outcome))))
   ORDER BY m.name, o.outcome;
END;

ALTER FUNCTION worker.matview_refresh_stats() OWNER TO skeldir_owner;

--
-- Name: next_due(text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.next_due(queue text) RETURNS double precision
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT extract(epoch FROM min(j.run_at) - now())::double precision
    FROM skeldir.jobs AS j
   WHERE j.queue = next_due.queue::skeldir.queue AND j.state = 'available'
$$;

ALTER FUNCTION worker.next_due(queue text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION next_due(queue text); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.next_due(queue text) IS 'Seconds until the earliest pending job of the queue is due; NULL when none is pending.';

--
-- Name: pii_scan(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.pii_scan(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  scope uuid := skeldir.current_tenant_id();
  tenant uuid;
  f record;
BEGIN
  FOREACH tenant IN ARRAY CASE WHEN scope IS NULL THEN skeldir.tenant_ids() ELSE ARRAY[scope] END LOOP
    PERFORM skeldir.set_tenant_context(tenant::text, true);
    FOR f IN SELECT * FROM skeldir.scan_pii_at_rest() LOOP
      INSERT INTO skeldir.pii_scan_findings AS x (tenant_id, job_id, table_name, column_name, rows_with_pii, pii_keys)
      VALUES (tenant, pii_scan.job_id, f.table_name, f.column_name, f.rows_with_pii, f.pii_keys)
      ON CONFLICT ON CONSTRAINT pii_scan_findings_pkey DO UPDATE
        SET scanned_at = EXCLUDED.scanned_at, rows_with_pii = EXCLUDED.rows_with_pii, pii_keys = EXCLUDED.pii_keys;
      IF f.rows_with_pii > 0 THEN
        RAISE WARNING 'personal data at rest: % row(s) of %.% for tenant % hold PII keys %',
          f.rows_with_pii, f.table_name, f.column_name, tenant, f.pii_keys
          USING HINT = 'see skeldir.pii_scan_findings; values are never logged';
      END IF;
    END LOOP;
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END
$$;

ALTER FUNCTION worker.pii_scan(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: prune_jobs(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.prune_jobs(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM skeldir.jobs AS j
   WHERE j.state IN ('completed', 'dead')
     AND j.finished_at < now() - coalesce((prune_jobs.args ->> 'keep')::interval, interval '1 day');
END
$$;

ALTER FUNCTION worker.prune_jobs(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: reap_leases(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.reap_leases(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN PERFORM skeldir.reap_expired_leases(); END $$;

ALTER FUNCTION worker.reap_leases(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: reconciliation_run(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.reconciliation_run(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
  IF skeldir.current_tenant_id() IS NULL
     OR NOT coalesce(args ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false) THEN
    RAISE EXCEPTION 'reconciliation.run needs a tenant and args.run_id (a uuid)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.reconcile((args ->> 'run_id')::uuid);
  PERFORM skeldir.request_matview_refreshes_reading('skeldir.reconciliation_platform_status');
END
$_$;

ALTER FUNCTION worker.reconciliation_run(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: leaders; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.leaders (
    name text NOT NULL,
    leader_id text NOT NULL,
    elected_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT leaders_leader_id_check CHECK ((leader_id <> ''::text)),
    CONSTRAINT leaders_name_check CHECK ((name = ANY (ARRAY['scheduler'::text, 'change_feed'::text])))
);

ALTER TABLE skeldir.leaders OWNER TO skeldir_owner;

--
-- Name: TABLE leaders; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.leaders IS 'Leadership leases (scheduler, change_feed): held by leader_id until expires_at. Written only through worker.elect and worker.resign.';

--
-- Name: resign(text, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.resign(name text, leader_id text) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    BEGIN ATOMIC
 WITH resigned AS (
          DELETE FROM skeldir.leaders AS l
           WHERE ((l.name = resign.name) AND (l.leader_id = resign.leader_id))
           RETURNING l.name
         )
  SELECT (count(*) > 0)
    FROM resigned;
END;

ALTER FUNCTION worker.resign(name text, leader_id text) OWNER TO skeldir_owner;

--
-- Name: FUNCTION resign(name text, leader_id text); Type: COMMENT; Schema: worker; Owner: skeldir_owner
--

COMMENT ON FUNCTION worker.resign(name text, leader_id text) IS 'Ends leader_id''s lease on name at once; false when it did not hold it.';

--
-- Name: retention(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.retention(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  scope uuid := skeldir.current_tenant_id();
  max_batches integer := coalesce((args ->> 'max_batches')::integer, 100);
  leftover boolean := false;
  tenant uuid;
  rule skeldir.retention_rules;
  batches integer;
  deleted bigint;
  total bigint;
BEGIN
  IF max_batches < 1 THEN
    RAISE EXCEPTION 'max_batches must be at least 1, not %', max_batches USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH tenant IN ARRAY CASE WHEN scope IS NULL THEN skeldir.tenant_ids() ELSE ARRAY[scope] END LOOP
    PERFORM skeldir.set_tenant_context(tenant::text, true);
    FOR rule IN SELECT * FROM skeldir.retention_rules AS r WHERE r.enabled ORDER BY r.name LOOP
      batches := 0;
      total := 0;
      LOOP
        deleted := skeldir.prune_batch(rule);
        batches := batches + 1;
        total := total + deleted;
        EXIT WHEN deleted < rule.batch_size;
        IF batches >= max_batches THEN
          leftover := true;
          EXIT;
        END IF;
      END LOOP;
      IF total > 0 THEN
        RAISE LOG 'retention %: % row(s) of % pruned for tenant %', rule.name, total, rule.table_name, tenant;
      END IF;
    END LOOP;
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
  IF leftover THEN
    PERFORM skeldir.enqueue('housekeeping.retention', args, scope, NULL, 'retention:after:' || job_id);
  END IF;
END
$$;

ALTER FUNCTION worker.retention(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: revenue_realtime(jsonb, bigint); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.revenue_realtime(args jsonb, job_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF skeldir.current_tenant_id() IS NULL THEN
    RAISE EXCEPTION 'revenue.realtime needs a tenant' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.refresh_realtime_revenue();
END
$$;

ALTER FUNCTION worker.revenue_realtime(args jsonb, job_id bigint) OWNER TO skeldir_owner;

--
-- Name: work(text, integer, text); Type: FUNCTION; Schema: worker; Owner: skeldir_owner
--

CREATE FUNCTION worker.work(queue text, max_jobs integer, worker_id text) RETURNS TABLE(job_id bigint, kind text, outcome text, seconds double precision)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
  g record;
  started timestamptz;
  ran boolean;
  i integer;
  failure text;
  failure_class text;
BEGIN
  FOR g IN WITH claimed AS MATERIALIZED (
             SELECT c.id, c.kind, c.args, c.tenant_scope, k.body
               FROM skeldir.jobs AS c JOIN skeldir.job_kinds AS k ON k.kind = c.kind
              WHERE c.queue = work.queue::skeldir.queue AND c.state = 'available' AND c.run_at <= now() AND k.batchable
              ORDER BY c.run_at, c.id
              LIMIT max_jobs
                FOR UPDATE OF c SKIP LOCKED)
           SELECT c.kind, c.body, c.tenant_scope, array_agg(c.id ORDER BY c.id) AS ids,
                  array_agg(c.args ORDER BY c.id) AS args
             FROM claimed AS c
            GROUP BY c.kind, c.body, c.tenant_scope
            ORDER BY min(c.id) LOOP
    started := clock_timestamp();
    BEGIN
      PERFORM skeldir.set_tenant_context(coalesce(g.tenant_scope::text, ''), true);
      EXECUTE format('SELECT %s(x.args, x.id) FROM unnest($1, $2) AS x(args, id)', g.body) USING g.args, g.ids;
      PERFORM skeldir.set_tenant_context('', true);
      ran := true;
    EXCEPTION WHEN OTHERS THEN
      ran := false;
    END;
    IF ran THEN
      UPDATE skeldir.jobs AS x
         SET attempt = x.attempt + 1, started_at = started, state = 'completed', finished_at = clock_timestamp()
       WHERE x.id = ANY (g.ids);
      RETURN QUERY SELECT u.id, g.kind, 'completed'::text,
                          extract(epoch FROM clock_timestamp() - started)::double precision / cardinality(g.ids)
                     FROM unnest(g.ids) AS u(id);
      CONTINUE;
    END IF;
    -- One job of the group failed: each on its own, as one job's failure
    -- must not decide its neighbours'.
    FOR i IN 1 .. cardinality(g.ids) LOOP
      started := clock_timestamp();
      failure := NULL;
      BEGIN
        PERFORM skeldir.run_job_body(g.ids[i], g.body, g.args[i], g.tenant_scope);
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_class = RETURNED_SQLSTATE;
      END;
      UPDATE skeldir.jobs AS x
         SET attempt = x.attempt + 1, started_at = started,
             state = CASE WHEN failure IS NULL THEN 'completed'::skeldir.job_state ELSE 'running' END,
             finished_at = CASE WHEN failure IS NULL THEN clock_timestamp() END,
             leased_by = CASE WHEN failure IS NOT NULL THEN worker_id END
       WHERE x.id = g.ids[i];
      outcome := CASE WHEN failure IS NULL THEN 'completed'
                      ELSE skeldir.settle_failure(g.ids[i], failure_class, failure) END;
      job_id := g.ids[i];
      kind := g.kind;
      seconds := extract(epoch FROM clock_timestamp() - started);
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$_$;

ALTER FUNCTION worker.work(queue text, max_jobs integer, worker_id text) OWNER TO skeldir_owner;

--
-- Name: attribution_credits; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.attribution_credits (
    tenant_id uuid NOT NULL,
    event_id uuid NOT NULL,
    channel text NOT NULL,
    currency text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    last_touch_cents bigint NOT NULL,
    first_touch_cents bigint NOT NULL,
    linear_cents bigint NOT NULL,
    time_decay_cents bigint NOT NULL,
    linear_ratio numeric(11,10) NOT NULL,
    time_decay_ratio numeric(11,10) NOT NULL,
    model_version text NOT NULL,
    position_based_cents bigint DEFAULT 0 NOT NULL,
    position_based_ratio numeric(11,10) DEFAULT 0 NOT NULL,
    CONSTRAINT attribution_credits_first_touch_cents_check CHECK ((first_touch_cents >= 0)),
    CONSTRAINT attribution_credits_last_touch_cents_check CHECK ((last_touch_cents >= 0)),
    CONSTRAINT attribution_credits_linear_cents_check CHECK ((linear_cents >= 0)),
    CONSTRAINT attribution_credits_linear_ratio_check CHECK (((linear_ratio >= (0)::numeric) AND (linear_ratio <= (1)::numeric))),
    CONSTRAINT attribution_credits_position_based_cents_check CHECK ((position_based_cents >= 0)),
    CONSTRAINT attribution_credits_position_based_ratio_check CHECK (((position_based_ratio >= (0)::numeric) AND (position_based_ratio <= (1)::numeric))),
    CONSTRAINT attribution_credits_time_decay_cents_check CHECK ((time_decay_cents >= 0)),
    CONSTRAINT attribution_credits_time_decay_ratio_check CHECK (((time_decay_ratio >= (0)::numeric) AND (time_decay_ratio <= (1)::numeric)))
);

ALTER TABLE ONLY skeldir.attribution_credits FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.attribution_credits OWNER TO skeldir_owner;

--
-- Name: TABLE attribution_credits; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.attribution_credits IS 'Per purchase and channel, the revenue credited under each attribution model; sums exactly to the purchase''s revenue.';

--
-- Name: attribution_allocations; Type: VIEW; Schema: skeldir; Owner: skeldir_owner
--

CREATE VIEW skeldir.attribution_allocations WITH (security_invoker='true') AS
 SELECT c.tenant_id,
    c.event_id,
    m.model,
    c.channel,
    m.allocated_cents,
    m.ratio,
    c.currency,
    c.occurred_at,
    c.model_version
   FROM (skeldir.attribution_credits c
     CROSS JOIN LATERAL ( VALUES ('last_touch'::skeldir.attribution_model,c.last_touch_cents,(((c.last_touch_cents > 0))::integer)::numeric(11,10)), ('first_touch'::skeldir.attribution_model,c.first_touch_cents,(((c.first_touch_cents > 0))::integer)::numeric(11,10)), ('linear'::skeldir.attribution_model,c.linear_cents,c.linear_ratio), ('time_decay'::skeldir.attribution_model,c.time_decay_cents,c.time_decay_ratio), ('position_based'::skeldir.attribution_model,c.position_based_cents,c.position_based_ratio)) m(model, allocated_cents, ratio))
  WHERE (m.ratio > (0)::numeric);

ALTER TABLE skeldir.attribution_allocations OWNER TO skeldir_owner;

--
-- Name: VIEW attribution_allocations; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON VIEW skeldir.attribution_allocations IS 'Attribution per purchase, model and channel (the rows of skeldir.attribution_credits, one per model).';

--
-- Name: mv_allocation_summary; Type: MATERIALIZED VIEW; Schema: analytics; Owner: skeldir_analytics
--

CREATE MATERIALIZED VIEW analytics.mv_allocation_summary AS
 SELECT a.tenant_id,
    a.model,
    a.channel,
    a.currency,
    (sum(a.allocated_cents))::bigint AS allocated_cents,
    count(*) AS purchases,
    round(avg(a.ratio), 4) AS average_ratio,
    max(a.model_version) AS model_version
   FROM skeldir.attribution_allocations a
  GROUP BY a.tenant_id, a.model, a.channel, a.currency
  WITH NO DATA;

ALTER TABLE analytics.mv_allocation_summary OWNER TO skeldir_analytics;

--
-- Name: mv_channel_performance; Type: MATERIALIZED VIEW; Schema: analytics; Owner: skeldir_analytics
--

CREATE MATERIALIZED VIEW analytics.mv_channel_performance AS
 SELECT c.tenant_id,
    ((c.occurred_at AT TIME ZONE 'UTC'::text))::date AS day,
    c.channel,
    c.currency,
    count(*) AS touched_purchases,
    count(*) FILTER (WHERE (c.last_touch_cents > 0)) AS conversions,
    (sum(c.last_touch_cents))::bigint AS last_touch_cents,
    (sum(c.first_touch_cents))::bigint AS first_touch_cents,
    (sum(c.linear_cents))::bigint AS linear_cents,
    (sum(c.time_decay_cents))::bigint AS time_decay_cents,
    (sum(c.position_based_cents))::bigint AS position_based_cents
   FROM skeldir.attribution_credits c
  GROUP BY c.tenant_id, (((c.occurred_at AT TIME ZONE 'UTC'::text))::date), c.channel, c.currency
  WITH NO DATA;

ALTER TABLE analytics.mv_channel_performance OWNER TO skeldir_analytics;

--
-- Name: revenue_ledger; Type: TABLE; Schema: skeldir; Owner: skeldir_books
--

CREATE TABLE skeldir.revenue_ledger (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    vendor skeldir.vendor NOT NULL,
    transaction_id text NOT NULL,
    state skeldir.ledger_state NOT NULL,
    order_id text NOT NULL,
    amount_cents bigint NOT NULL,
    currency text NOT NULL,
    event_id uuid NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    reverses_transaction_id text,
    CONSTRAINT revenue_ledger_amount_cents_check CHECK ((amount_cents >= 0))
);

ALTER TABLE ONLY skeldir.revenue_ledger FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.revenue_ledger OWNER TO skeldir_books;

--
-- Name: TABLE revenue_ledger; Type: COMMENT; Schema: skeldir; Owner: skeldir_books
--

COMMENT ON TABLE skeldir.revenue_ledger IS 'Captured, refunded and charged-back money per transaction; booked once per state; append-only.';

--
-- Name: revenue_of_record; Type: VIEW; Schema: skeldir; Owner: skeldir_owner
--

CREATE VIEW skeldir.revenue_of_record WITH (security_invoker='true') AS
 SELECT l.tenant_id,
    l.id,
    l.vendor,
    l.transaction_id,
    l.state,
    l.order_id,
    l.amount_cents,
    l.currency,
    l.event_id,
    l.occurred_at,
    l.recorded_at,
    l.reverses_transaction_id,
    COALESCE(c.order_id, l.order_id) AS order_key
   FROM ((skeldir.revenue_ledger l
     JOIN skeldir.reconciliation_platforms p ON ((p.platform = l.vendor)))
     LEFT JOIN skeldir.revenue_ledger c ON (((p.side = 'processor'::text) AND (c.tenant_id = l.tenant_id) AND (c.vendor = l.vendor) AND (c.state = 'captured'::skeldir.ledger_state) AND (c.transaction_id = COALESCE(l.reverses_transaction_id, l.transaction_id)))))
  WHERE ((p.side = 'shop'::text) OR (l.state = 'chargeback'::skeldir.ledger_state) OR (NOT (EXISTS ( SELECT
           FROM (skeldir.revenue_ledger s
             JOIN skeldir.reconciliation_platforms sp ON (((sp.platform = s.vendor) AND (sp.side = 'shop'::text))))
          WHERE ((s.tenant_id = l.tenant_id) AND (s.state = 'captured'::skeldir.ledger_state) AND (s.order_id = COALESCE(c.order_id, l.order_id)))))));

ALTER TABLE skeldir.revenue_of_record OWNER TO skeldir_owner;

--
-- Name: VIEW revenue_of_record; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON VIEW skeldir.revenue_of_record IS 'The ledger rows that are revenue, each sale once: the shop''s for an order a shop reports, else the processor''s; chargebacks always.';

--
-- Name: mv_daily_revenue_summary; Type: MATERIALIZED VIEW; Schema: analytics; Owner: skeldir_analytics
--

CREATE MATERIALIZED VIEW analytics.mv_daily_revenue_summary AS
 SELECT l.tenant_id,
    ((l.occurred_at AT TIME ZONE 'UTC'::text))::date AS day,
    l.currency,
    (COALESCE(sum(l.amount_cents) FILTER (WHERE (l.state = 'captured'::skeldir.ledger_state)), (0)::numeric))::bigint AS captured_cents,
    (COALESCE(sum(l.amount_cents) FILTER (WHERE (l.state = 'refunded'::skeldir.ledger_state)), (0)::numeric))::bigint AS refunded_cents,
    (COALESCE(sum(l.amount_cents) FILTER (WHERE (l.state = 'chargeback'::skeldir.ledger_state)), (0)::numeric))::bigint AS chargeback_cents,
    (COALESCE(sum(
        CASE l.state
            WHEN 'captured'::skeldir.ledger_state THEN l.amount_cents
            ELSE (- l.amount_cents)
        END), (0)::numeric))::bigint AS net_cents,
    count(*) FILTER (WHERE (l.state = 'captured'::skeldir.ledger_state)) AS captures,
    count(*) FILTER (WHERE (l.state = 'refunded'::skeldir.ledger_state)) AS refunds,
    count(*) FILTER (WHERE (l.state = 'chargeback'::skeldir.ledger_state)) AS chargebacks
   FROM skeldir.revenue_of_record l
  GROUP BY l.tenant_id, (((l.occurred_at AT TIME ZONE 'UTC'::text))::date), l.currency
  WITH NO DATA;

ALTER TABLE analytics.mv_daily_revenue_summary OWNER TO skeldir_analytics;

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: skeldir_owner
--

CREATE TABLE public.schema_migrations (
    version character varying(128) NOT NULL
);

ALTER TABLE public.schema_migrations OWNER TO skeldir_owner;

--
-- Name: ad_spend; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.ad_spend (
    tenant_id uuid NOT NULL,
    day date NOT NULL,
    channel text NOT NULL,
    currency text NOT NULL,
    amount_cents bigint NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ad_spend_amount_cents_check CHECK ((amount_cents >= 0))
);

ALTER TABLE ONLY skeldir.ad_spend FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.ad_spend OWNER TO skeldir_owner;

--
-- Name: TABLE ad_spend; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.ad_spend IS 'Ad spend per tenant, UTC day, channel and currency, in minor units; replaced by a later report of the same key.';

--
-- Name: attribution_credit_history; Type: TABLE; Schema: skeldir; Owner: skeldir_books
--

CREATE TABLE skeldir.attribution_credit_history (
    tenant_id uuid NOT NULL,
    event_id uuid NOT NULL,
    channel text NOT NULL,
    currency text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    last_touch_cents bigint NOT NULL,
    first_touch_cents bigint NOT NULL,
    linear_cents bigint NOT NULL,
    time_decay_cents bigint NOT NULL,
    position_based_cents bigint NOT NULL,
    linear_ratio numeric(11,10) NOT NULL,
    time_decay_ratio numeric(11,10) NOT NULL,
    position_based_ratio numeric(11,10) NOT NULL,
    model_version text NOT NULL,
    change text NOT NULL,
    superseded_at timestamp with time zone DEFAULT now() NOT NULL,
    reason text NOT NULL,
    job_id bigint,
    CONSTRAINT attribution_credit_history_change_check CHECK ((change = ANY (ARRAY['revised'::text, 'withdrawn'::text]))),
    CONSTRAINT attribution_credit_history_reason_check CHECK ((reason <> ''::text))
);

ALTER TABLE ONLY skeldir.attribution_credit_history FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.attribution_credit_history OWNER TO skeldir_books;

--
-- Name: TABLE attribution_credit_history; Type: COMMENT; Schema: skeldir; Owner: skeldir_books
--

COMMENT ON TABLE skeldir.attribution_credit_history IS 'Credits a recompute replaced (revised) or removed (withdrawn), as they were, with when, why and by which job.';

--
-- Name: attribution_events; Type: TABLE; Schema: skeldir; Owner: skeldir_books
--

CREATE TABLE skeldir.attribution_events (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    idempotency_key text NOT NULL,
    correlation_id uuid NOT NULL,
    vendor skeldir.vendor NOT NULL,
    topic text NOT NULL,
    event_type skeldir.event_type NOT NULL,
    external_id text NOT NULL,
    order_id text,
    session_id text,
    revenue_cents bigint NOT NULL,
    currency text,
    channel text NOT NULL,
    utm_source text,
    utm_medium text,
    referrer text,
    occurred_at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    payload jsonb NOT NULL,
    pii_paths text[] DEFAULT '{}'::text[] NOT NULL,
    arrived_xid xid8 DEFAULT pg_current_xact_id(),
    CONSTRAINT attribution_events_check CHECK (((revenue_cents = 0) OR (currency IS NOT NULL))),
    CONSTRAINT attribution_events_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 255))),
    CONSTRAINT attribution_events_revenue_cents_check CHECK ((revenue_cents >= 0))
);

ALTER TABLE ONLY skeldir.attribution_events FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.attribution_events OWNER TO skeldir_books;

--
-- Name: TABLE attribution_events; Type: COMMENT; Schema: skeldir; Owner: skeldir_books
--

COMMENT ON TABLE skeldir.attribution_events IS 'Accepted webhook deliveries, one per idempotency key; append-only, PII-free.';

--
-- Name: COLUMN attribution_events.arrived_xid; Type: COMMENT; Schema: skeldir; Owner: skeldir_books
--

COMMENT ON COLUMN skeldir.attribution_events.arrived_xid IS 'The inserting transaction''s id: the events a recompute did not see are those at or above the snapshot xmin it recorded.';

--
-- Name: attribution_marks; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.attribution_marks (
    tenant_id uuid NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    seen xid8 NOT NULL,
    definition text NOT NULL,
    system bigint NOT NULL,
    marked_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY skeldir.attribution_marks FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.attribution_marks OWNER TO skeldir_owner;

--
-- Name: TABLE attribution_marks; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.attribution_marks IS 'Per tenant and recomputed window, the snapshot xmin below which every arrived event is reflected in its credits; a recompute inside it computes only what later events reach.';

--
-- Name: attribution_recomputes; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.attribution_recomputes (
    tenant_id uuid NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    events bigint NOT NULL,
    order_events bigint NOT NULL,
    definition text NOT NULL,
    credited boolean NOT NULL,
    recomputed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY skeldir.attribution_recomputes FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.attribution_recomputes OWNER TO skeldir_owner;

--
-- Name: TABLE attribution_recomputes; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.attribution_recomputes IS 'Per tenant and window of 30 days or more, what its last recompute read (event counts, definition); while they hold and no one wrote the credits since, the window is unchanged.';

--
-- Name: budget_optimization_jobs; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.budget_optimization_jobs (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    request_id uuid NOT NULL,
    inputs jsonb NOT NULL,
    status skeldir.llm_job_status DEFAULT 'pending'::skeldir.llm_job_status NOT NULL,
    job_id bigint,
    result jsonb,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    CONSTRAINT budget_optimization_jobs_check CHECK (((status <> 'completed'::skeldir.llm_job_status) OR (result IS NOT NULL))),
    CONSTRAINT budget_optimization_jobs_check1 CHECK (((status <> 'failed'::skeldir.llm_job_status) OR (error IS NOT NULL))),
    CONSTRAINT budget_optimization_jobs_inputs_check CHECK ((jsonb_typeof(inputs) = 'object'::text))
);

ALTER TABLE ONLY skeldir.budget_optimization_jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.budget_optimization_jobs OWNER TO skeldir_owner;

--
-- Name: TABLE budget_optimization_jobs; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.budget_optimization_jobs IS 'Budget optimizations: inputs, status, recommended allocations; computed by llm.budget_optimization jobs.';

--
-- Name: channel_rules; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.channel_rules (
    priority integer NOT NULL,
    utm_source_pattern text,
    utm_medium_pattern text,
    referrer_pattern text,
    channel_code text NOT NULL,
    CONSTRAINT channel_rules_check CHECK ((num_nonnulls(utm_source_pattern, utm_medium_pattern, referrer_pattern) > 0))
);

ALTER TABLE skeldir.channel_rules OWNER TO skeldir_owner;

--
-- Name: TABLE channel_rules; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.channel_rules IS 'UTM/referrer regular expressions mapped to channels; lowest matching priority wins.';

--
-- Name: channel_taxonomy; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.channel_taxonomy (
    code text NOT NULL,
    family text NOT NULL,
    display_name text NOT NULL,
    is_paid boolean NOT NULL,
    report_name text NOT NULL,
    CONSTRAINT channel_taxonomy_code_check CHECK ((code ~ '^[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT channel_taxonomy_family_check CHECK ((family = ANY (ARRAY['paid_social'::text, 'paid_search'::text, 'display'::text, 'email'::text, 'organic'::text, 'referral'::text, 'direct'::text, 'unknown'::text])))
);

ALTER TABLE skeldir.channel_taxonomy OWNER TO skeldir_owner;

--
-- Name: TABLE channel_taxonomy; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.channel_taxonomy IS 'Marketing channels; a reference table shared by all tenants.';

--
-- Name: currencies; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.currencies (
    code text NOT NULL,
    exponent smallint NOT NULL,
    CONSTRAINT currencies_code_check CHECK ((code ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT currencies_exponent_check CHECK (((exponent >= 0) AND (exponent <= 4)))
);

ALTER TABLE skeldir.currencies OWNER TO skeldir_owner;

--
-- Name: dead_events; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.dead_events (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    vendor skeldir.vendor NOT NULL,
    topic text,
    idempotency_header text,
    error_type text NOT NULL,
    error_message text NOT NULL,
    payload jsonb,
    pii_paths text[] DEFAULT '{}'::text[] NOT NULL,
    body_sha256 bytea NOT NULL,
    body_bytes integer NOT NULL,
    correlation_id uuid NOT NULL,
    status skeldir.remediation_status DEFAULT 'pending'::skeldir.remediation_status NOT NULL,
    retry_count integer DEFAULT 0 NOT NULL,
    next_retry_at timestamp with time zone DEFAULT now() NOT NULL,
    occurrences integer DEFAULT 1 NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_event_id uuid
);

ALTER TABLE ONLY skeldir.dead_events FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.dead_events OWNER TO skeldir_owner;

--
-- Name: TABLE dead_events; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.dead_events IS 'Authenticated but unusable webhook deliveries, PII-free, replayable (skeldird dlq).';

--
-- Name: explanation_cache; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.explanation_cache (
    tenant_id uuid NOT NULL,
    cache_key text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    content jsonb NOT NULL,
    request_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT explanation_cache_cache_key_check CHECK ((cache_key ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE ONLY skeldir.explanation_cache FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.explanation_cache OWNER TO skeldir_owner;

--
-- Name: TABLE explanation_cache; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.explanation_cache IS 'Explanations by hash of model and prompt (facts included), with the audited request that produced them.';

--
-- Name: investigations; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.investigations (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    request_id uuid NOT NULL,
    question text NOT NULL,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    status skeldir.llm_job_status DEFAULT 'pending'::skeldir.llm_job_status NOT NULL,
    job_id bigint,
    result jsonb,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    CONSTRAINT investigations_check CHECK (((status <> 'completed'::skeldir.llm_job_status) OR (result IS NOT NULL))),
    CONSTRAINT investigations_check1 CHECK (((status <> 'failed'::skeldir.llm_job_status) OR (error IS NOT NULL))),
    CONSTRAINT investigations_context_check CHECK ((jsonb_typeof(context) = 'object'::text)),
    CONSTRAINT investigations_question_check CHECK (((length(question) >= 10) AND (length(question) <= 500)))
);

ALTER TABLE ONLY skeldir.investigations FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.investigations OWNER TO skeldir_owner;

--
-- Name: TABLE investigations; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.investigations IS 'Investigations: question, context, status, result; answered by llm.investigation jobs.';

--
-- Name: job_side_effects; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.job_side_effects (
    job_id bigint NOT NULL,
    attempt integer NOT NULL,
    written_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE skeldir.job_side_effects OWNER TO skeldir_owner;

--
-- Name: jobs_id_seq; Type: SEQUENCE; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME skeldir.jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: llm_budget_caps; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.llm_budget_caps (
    tenant_id uuid NOT NULL,
    monthly_cap_micros bigint NOT NULL,
    on_exceed skeldir.llm_on_exceed DEFAULT 'fallback'::skeldir.llm_on_exceed NOT NULL,
    model text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_budget_caps_monthly_cap_micros_check CHECK ((monthly_cap_micros >= 0))
);

ALTER TABLE ONLY skeldir.llm_budget_caps FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.llm_budget_caps OWNER TO skeldir_owner;

--
-- Name: TABLE llm_budget_caps; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.llm_budget_caps IS 'Per-tenant LLM monthly cap (micro-USD), over-cap behaviour and model; no row means llm_settings defaults.';

--
-- Name: llm_models; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.llm_models (
    model text NOT NULL,
    provider text NOT NULL,
    body regproc NOT NULL,
    micros_per_1k_tokens bigint NOT NULL,
    max_completion_tokens integer NOT NULL,
    CONSTRAINT llm_models_max_completion_tokens_check CHECK ((max_completion_tokens > 0)),
    CONSTRAINT llm_models_micros_per_1k_tokens_check CHECK ((micros_per_1k_tokens >= 0)),
    CONSTRAINT llm_models_model_check CHECK ((model ~ '^[a-z0-9][a-z0-9._-]*$'::text))
);

ALTER TABLE skeldir.llm_models OWNER TO skeldir_owner;

--
-- Name: TABLE llm_models; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.llm_models IS 'Models an LLM call may use: provider, answering SQL function, price in micro-USD per 1k tokens.';

--
-- Name: llm_monthly_costs; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.llm_monthly_costs (
    tenant_id uuid NOT NULL,
    month date NOT NULL,
    calls bigint DEFAULT 0 NOT NULL,
    blocked_calls bigint DEFAULT 0 NOT NULL,
    fallback_calls bigint DEFAULT 0 NOT NULL,
    prompt_tokens bigint DEFAULT 0 NOT NULL,
    completion_tokens bigint DEFAULT 0 NOT NULL,
    cost_micros bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_monthly_costs_blocked_calls_check CHECK ((blocked_calls >= 0)),
    CONSTRAINT llm_monthly_costs_calls_check CHECK ((calls >= 0)),
    CONSTRAINT llm_monthly_costs_completion_tokens_check CHECK ((completion_tokens >= 0)),
    CONSTRAINT llm_monthly_costs_cost_micros_check CHECK ((cost_micros >= 0)),
    CONSTRAINT llm_monthly_costs_fallback_calls_check CHECK ((fallback_calls >= 0)),
    CONSTRAINT llm_monthly_costs_month_check CHECK ((month = (date_trunc('month'::text, (month)::timestamp with time zone))::date)),
    CONSTRAINT llm_monthly_costs_prompt_tokens_check CHECK ((prompt_tokens >= 0))
);

ALTER TABLE ONLY skeldir.llm_monthly_costs FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.llm_monthly_costs OWNER TO skeldir_owner;

--
-- Name: TABLE llm_monthly_costs; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.llm_monthly_costs IS 'LLM calls, tokens and cost (micro-USD) per tenant and UTC month; the sum of llm_api_calls.';

--
-- Name: llm_settings; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.llm_settings (
    singleton boolean DEFAULT true NOT NULL,
    default_model text NOT NULL,
    fallback_model text NOT NULL,
    default_monthly_cap_micros bigint NOT NULL,
    default_on_exceed skeldir.llm_on_exceed NOT NULL,
    explanation_ttl interval NOT NULL,
    CONSTRAINT llm_settings_default_monthly_cap_micros_check CHECK ((default_monthly_cap_micros >= 0)),
    CONSTRAINT llm_settings_explanation_ttl_check CHECK ((explanation_ttl > '00:00:00'::interval)),
    CONSTRAINT llm_settings_singleton_check CHECK (singleton)
);

ALTER TABLE skeldir.llm_settings OWNER TO skeldir_owner;

--
-- Name: TABLE llm_settings; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.llm_settings IS 'LLM defaults: model, fallback model, monthly cap (micro-USD) and over-cap behaviour for tenants without a cap row, explanation cache lifetime.';

--
-- Name: login_failures_id_seq; Type: SEQUENCE; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.login_failures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME skeldir.login_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: payload_projections; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.payload_projections (
    vendor skeldir.vendor NOT NULL,
    shape jsonb NOT NULL,
    CONSTRAINT payload_projections_shape_check CHECK ((jsonb_typeof(shape) = 'object'::text))
);

ALTER TABLE skeldir.payload_projections OWNER TO skeldir_owner;

--
-- Name: TABLE payload_projections; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.payload_projections IS 'Per vendor, the fields of a webhook payload that are stored; everything else is dropped (deny by default).';

--
-- Name: pii_scan_findings; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.pii_scan_findings (
    tenant_id uuid NOT NULL,
    job_id bigint NOT NULL,
    table_name text NOT NULL,
    column_name text NOT NULL,
    scanned_at timestamp with time zone DEFAULT now() NOT NULL,
    rows_with_pii bigint NOT NULL,
    pii_keys text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT pii_scan_findings_rows_with_pii_check CHECK ((rows_with_pii >= 0))
);

ALTER TABLE ONLY skeldir.pii_scan_findings FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.pii_scan_findings OWNER TO skeldir_owner;

--
-- Name: TABLE pii_scan_findings; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.pii_scan_findings IS 'PII scan results per tenant, scan job and JSON column: counts and key names, never values.';

--
-- Name: realtime_revenue; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.realtime_revenue (
    tenant_id uuid NOT NULL,
    currency text NOT NULL,
    captured_cents bigint NOT NULL,
    refunded_cents bigint NOT NULL,
    chargeback_cents bigint NOT NULL,
    net_cents bigint NOT NULL,
    captures bigint NOT NULL,
    last_booked_at timestamp with time zone NOT NULL,
    refreshed_at timestamp with time zone NOT NULL,
    records bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY skeldir.realtime_revenue FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.realtime_revenue OWNER TO skeldir_owner;

--
-- Name: TABLE realtime_revenue; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.realtime_revenue IS 'Revenue of record so far per tenant and currency; refreshed per tenant after its money moves.';

--
-- Name: realtime_revenue_marks; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.realtime_revenue_marks (
    tenant_id uuid NOT NULL,
    order_key text NOT NULL,
    marked_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY skeldir.realtime_revenue_marks FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.realtime_revenue_marks OWNER TO skeldir_owner;

--
-- Name: TABLE realtime_revenue_marks; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.realtime_revenue_marks IS 'Orders whose ledger rows changed since the tenant''s last realtime revenue refresh; the refresh takes them.';

--
-- Name: realtime_revenue_orders; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.realtime_revenue_orders (
    tenant_id uuid NOT NULL,
    order_key text NOT NULL,
    currency text NOT NULL,
    captured_cents bigint NOT NULL,
    refunded_cents bigint NOT NULL,
    chargeback_cents bigint NOT NULL,
    net_cents bigint NOT NULL,
    captures bigint NOT NULL,
    records bigint NOT NULL,
    last_booked_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY skeldir.realtime_revenue_orders FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.realtime_revenue_orders OWNER TO skeldir_owner;

--
-- Name: TABLE realtime_revenue_orders; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.realtime_revenue_orders IS 'Per tenant, order and currency, what the order adds to the realtime revenue (its rows of record); the totals are their sums.';

--
-- Name: reconciliation_results; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.reconciliation_results (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    shop_platform skeldir.vendor NOT NULL,
    order_id text NOT NULL,
    processor_platform skeldir.vendor,
    ordered_at timestamp with time zone NOT NULL,
    currency text NOT NULL,
    claimed_cents bigint NOT NULL,
    captured_cents bigint NOT NULL,
    outcome skeldir.reconciliation_outcome NOT NULL,
    discrepancy_bps bigint,
    id uuid GENERATED ALWAYS AS (skeldir.reconciliation_result_id(tenant_id, run_id, shop_platform, order_id)) STORED NOT NULL,
    CONSTRAINT reconciliation_results_check CHECK (((outcome = 'verified'::skeldir.reconciliation_outcome) = (claimed_cents = captured_cents))),
    CONSTRAINT reconciliation_results_check1 CHECK (((outcome = 'verified'::skeldir.reconciliation_outcome) OR ((outcome = 'ghost'::skeldir.reconciliation_outcome) = (processor_platform IS NULL))))
);

ALTER TABLE ONLY skeldir.reconciliation_results FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.reconciliation_results OWNER TO skeldir_owner;

--
-- Name: TABLE reconciliation_results; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.reconciliation_results IS 'Per shop order of a reconciliation run: claimed vs captured minor units, outcome, discrepancy in basis points.';

--
-- Name: COLUMN reconciliation_results.id; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON COLUMN skeldir.reconciliation_results.id IS 'The finding''s id: UUID v5 of (tenant, run, shop platform, order id); stable across reruns of the run.';

--
-- Name: refresh_tokens; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.refresh_tokens (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    family_id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoke_reason text,
    CONSTRAINT refresh_tokens_check CHECK ((expires_at > created_at)),
    CONSTRAINT refresh_tokens_check1 CHECK (((revoked_at IS NULL) = (revoke_reason IS NULL))),
    CONSTRAINT refresh_tokens_revoke_reason_check CHECK ((revoke_reason = ANY (ARRAY['logout'::text, 'reuse'::text, 'user_disabled'::text, 'password_changed'::text]))),
    CONSTRAINT refresh_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY skeldir.refresh_tokens FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.refresh_tokens OWNER TO skeldir_owner;

--
-- Name: TABLE refresh_tokens; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.refresh_tokens IS 'SHA-256 digests of refresh tokens; family_id groups one login''s rotations for reuse detection.';

--
-- Name: schedules; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.schedules (
    name text NOT NULL,
    kind text NOT NULL,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    every interval NOT NULL,
    next_run_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    CONSTRAINT schedules_every_check CHECK ((every >= '00:00:01'::interval)),
    CONSTRAINT schedules_name_check CHECK ((name ~ '^[a-z_]+$'::text))
);

ALTER TABLE skeldir.schedules OWNER TO skeldir_owner;

--
-- Name: tenant_api_keys; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.tenant_api_keys (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    key_hash bytea NOT NULL,
    prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT tenant_api_keys_check CHECK (((revoked_at IS NULL) OR (revoked_at >= created_at))),
    CONSTRAINT tenant_api_keys_key_hash_check CHECK ((length(key_hash) = 32))
);

ALTER TABLE ONLY skeldir.tenant_api_keys FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.tenant_api_keys OWNER TO skeldir_owner;

--
-- Name: TABLE tenant_api_keys; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.tenant_api_keys IS 'SHA-256 digests of tenant API keys (X-Skeldir-Tenant-Key). prefix identifies a key to operators.';

--
-- Name: tenant_webhook_secrets; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.tenant_webhook_secrets (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    vendor skeldir.vendor NOT NULL,
    secret text NOT NULL,
    slot smallint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT tenant_webhook_secrets_check CHECK (((revoked_at IS NULL) OR (revoked_at >= created_at))),
    CONSTRAINT tenant_webhook_secrets_secret_check CHECK ((length(secret) >= 16)),
    CONSTRAINT tenant_webhook_secrets_slot_check CHECK ((slot = ANY (ARRAY[1, 2])))
);

ALTER TABLE ONLY skeldir.tenant_webhook_secrets FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.tenant_webhook_secrets OWNER TO skeldir_owner;

--
-- Name: TABLE tenant_webhook_secrets; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.tenant_webhook_secrets IS 'Per-vendor webhook signing secrets; at most two active (slots 1 and 2) per tenant and vendor.';

--
-- Name: tenant_webhook_tokens; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.tenant_webhook_tokens (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    vendor skeldir.vendor NOT NULL,
    token_hash bytea NOT NULL,
    prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT tenant_webhook_tokens_check CHECK (((revoked_at IS NULL) OR (revoked_at >= created_at))),
    CONSTRAINT tenant_webhook_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

ALTER TABLE ONLY skeldir.tenant_webhook_tokens FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.tenant_webhook_tokens OWNER TO skeldir_owner;

--
-- Name: TABLE tenant_webhook_tokens; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.tenant_webhook_tokens IS 'SHA-256 digests of the tokens in tenants'' webhook URLs, per vendor. prefix identifies a token to operators.';

--
-- Name: turns; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.turns (
    stripe integer NOT NULL,
    CONSTRAINT turns_stripe_check CHECK (((stripe >= 0) AND (stripe <= 16383)))
);

ALTER TABLE skeldir.turns OWNER TO skeldir_owner;

--
-- Name: TABLE turns; Type: COMMENT; Schema: skeldir; Owner: skeldir_owner
--

COMMENT ON TABLE skeldir.turns IS 'Row locks the product takes turns on (skeldir.take_turns): keys hash to one of 16,384 stripes.';

--
-- Name: worker_failed_jobs; Type: TABLE; Schema: skeldir; Owner: skeldir_owner
--

CREATE TABLE skeldir.worker_failed_jobs (
    tenant_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    job_id bigint NOT NULL,
    task text NOT NULL,
    queue skeldir.queue NOT NULL,
    args jsonb NOT NULL,
    error_class text NOT NULL,
    error_message text NOT NULL,
    retry_count integer NOT NULL,
    status skeldir.remediation_status DEFAULT 'pending'::skeldir.remediation_status NOT NULL,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY skeldir.worker_failed_jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE skeldir.worker_failed_jobs OWNER TO skeldir_owner;

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: skeldir_owner
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: ad_spend ad_spend_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.ad_spend
    ADD CONSTRAINT ad_spend_pkey PRIMARY KEY (tenant_id, day, channel, currency);

--
-- Name: analyst_logins analyst_logins_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.analyst_logins
    ADD CONSTRAINT analyst_logins_pkey PRIMARY KEY (login);

--
-- Name: attribution_credits attribution_credits_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.attribution_credits
    ADD CONSTRAINT attribution_credits_pkey PRIMARY KEY (tenant_id, event_id, channel);

--
-- Name: attribution_events attribution_events_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_events
    ADD CONSTRAINT attribution_events_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: attribution_events attribution_events_tenant_id_idempotency_key_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_events
    ADD CONSTRAINT attribution_events_tenant_id_idempotency_key_key UNIQUE (tenant_id, idempotency_key);

--
-- Name: attribution_marks attribution_marks_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.attribution_marks
    ADD CONSTRAINT attribution_marks_pkey PRIMARY KEY (tenant_id, window_start, window_end);

--
-- Name: attribution_recomputes attribution_recomputes_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.attribution_recomputes
    ADD CONSTRAINT attribution_recomputes_pkey PRIMARY KEY (tenant_id, window_start, window_end);

--
-- Name: budget_optimization_jobs budget_optimization_jobs_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.budget_optimization_jobs
    ADD CONSTRAINT budget_optimization_jobs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: budget_optimization_jobs budget_optimization_jobs_tenant_id_request_id_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.budget_optimization_jobs
    ADD CONSTRAINT budget_optimization_jobs_tenant_id_request_id_key UNIQUE (tenant_id, request_id);

--
-- Name: change_feed change_feed_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.change_feed
    ADD CONSTRAINT change_feed_pkey PRIMARY KEY (singleton);

--
-- Name: channel_rules channel_rules_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.channel_rules
    ADD CONSTRAINT channel_rules_pkey PRIMARY KEY (priority);

--
-- Name: channel_taxonomy channel_taxonomy_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.channel_taxonomy
    ADD CONSTRAINT channel_taxonomy_pkey PRIMARY KEY (code);

--
-- Name: currencies currencies_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.currencies
    ADD CONSTRAINT currencies_pkey PRIMARY KEY (code);

--
-- Name: dead_events dead_events_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.dead_events
    ADD CONSTRAINT dead_events_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: dispatchers dispatchers_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.dispatchers
    ADD CONSTRAINT dispatchers_pkey PRIMARY KEY (id);

--
-- Name: explanation_cache explanation_cache_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.explanation_cache
    ADD CONSTRAINT explanation_cache_pkey PRIMARY KEY (tenant_id, cache_key);

--
-- Name: fault_injection fault_injection_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.fault_injection
    ADD CONSTRAINT fault_injection_pkey PRIMARY KEY (singleton);

--
-- Name: investigations investigations_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.investigations
    ADD CONSTRAINT investigations_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: investigations investigations_tenant_id_request_id_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.investigations
    ADD CONSTRAINT investigations_tenant_id_request_id_key UNIQUE (tenant_id, request_id);

--
-- Name: job_kinds job_kinds_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.job_kinds
    ADD CONSTRAINT job_kinds_pkey PRIMARY KEY (kind);

--
-- Name: job_side_effects job_side_effects_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.job_side_effects
    ADD CONSTRAINT job_side_effects_pkey PRIMARY KEY (job_id);

--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);

--
-- Name: leaders leaders_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.leaders
    ADD CONSTRAINT leaders_pkey PRIMARY KEY (name);

--
-- Name: llm_api_calls llm_api_calls_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.llm_api_calls
    ADD CONSTRAINT llm_api_calls_pkey PRIMARY KEY (tenant_id, request_id);

--
-- Name: llm_budget_caps llm_budget_caps_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_budget_caps
    ADD CONSTRAINT llm_budget_caps_pkey PRIMARY KEY (tenant_id);

--
-- Name: llm_models llm_models_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_models
    ADD CONSTRAINT llm_models_pkey PRIMARY KEY (model);

--
-- Name: llm_monthly_costs llm_monthly_costs_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_monthly_costs
    ADD CONSTRAINT llm_monthly_costs_pkey PRIMARY KEY (tenant_id, month);

--
-- Name: llm_settings llm_settings_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_settings
    ADD CONSTRAINT llm_settings_pkey PRIMARY KEY (singleton);

--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);

--
-- Name: matview_refresh_stats matview_refresh_stats_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.matview_refresh_stats
    ADD CONSTRAINT matview_refresh_stats_pkey PRIMARY KEY (view_name, outcome);

--
-- Name: matviews matviews_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.matviews
    ADD CONSTRAINT matviews_pkey PRIMARY KEY (name);

--
-- Name: payload_projections payload_projections_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.payload_projections
    ADD CONSTRAINT payload_projections_pkey PRIMARY KEY (vendor);

--
-- Name: pii_scan_findings pii_scan_findings_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.pii_scan_findings
    ADD CONSTRAINT pii_scan_findings_pkey PRIMARY KEY (tenant_id, job_id, table_name, column_name);

--
-- Name: realtime_revenue_marks realtime_revenue_marks_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue_marks
    ADD CONSTRAINT realtime_revenue_marks_pkey PRIMARY KEY (tenant_id, order_key);

--
-- Name: realtime_revenue_orders realtime_revenue_orders_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue_orders
    ADD CONSTRAINT realtime_revenue_orders_pkey PRIMARY KEY (tenant_id, order_key, currency);

--
-- Name: realtime_revenue realtime_revenue_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue
    ADD CONSTRAINT realtime_revenue_pkey PRIMARY KEY (tenant_id, currency);

--
-- Name: reconciliation_platform_status reconciliation_platform_status_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platform_status
    ADD CONSTRAINT reconciliation_platform_status_pkey PRIMARY KEY (tenant_id, platform);

--
-- Name: reconciliation_platforms reconciliation_platforms_display_name_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platforms
    ADD CONSTRAINT reconciliation_platforms_display_name_key UNIQUE (display_name);

--
-- Name: reconciliation_platforms reconciliation_platforms_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platforms
    ADD CONSTRAINT reconciliation_platforms_pkey PRIMARY KEY (platform);

--
-- Name: reconciliation_results reconciliation_results_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_results
    ADD CONSTRAINT reconciliation_results_pkey PRIMARY KEY (tenant_id, run_id, shop_platform, order_id);

--
-- Name: reconciliation_runs reconciliation_runs_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_runs
    ADD CONSTRAINT reconciliation_runs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: refresh_tokens refresh_tokens_tenant_id_token_hash_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.refresh_tokens
    ADD CONSTRAINT refresh_tokens_tenant_id_token_hash_key UNIQUE (tenant_id, token_hash);

--
-- Name: retention_rules retention_rules_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.retention_rules
    ADD CONSTRAINT retention_rules_pkey PRIMARY KEY (name);

--
-- Name: revenue_ledger revenue_ledger_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.revenue_ledger
    ADD CONSTRAINT revenue_ledger_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: revenue_ledger revenue_ledger_tenant_id_vendor_transaction_id_state_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.revenue_ledger
    ADD CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key UNIQUE (tenant_id, vendor, transaction_id, state);

--
-- Name: schedules schedules_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.schedules
    ADD CONSTRAINT schedules_pkey PRIMARY KEY (name);

--
-- Name: tenant_api_keys tenant_api_keys_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_api_keys
    ADD CONSTRAINT tenant_api_keys_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: tenant_api_keys tenant_api_keys_tenant_id_key_hash_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_api_keys
    ADD CONSTRAINT tenant_api_keys_tenant_id_key_hash_key UNIQUE (tenant_id, key_hash);

--
-- Name: tenant_paypal_certificates tenant_paypal_certificates_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_paypal_certificates
    ADD CONSTRAINT tenant_paypal_certificates_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: tenant_webhook_secrets tenant_webhook_secrets_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_webhook_secrets
    ADD CONSTRAINT tenant_webhook_secrets_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: tenant_webhook_tokens tenant_webhook_tokens_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_webhook_tokens
    ADD CONSTRAINT tenant_webhook_tokens_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: tenant_webhook_tokens tenant_webhook_tokens_tenant_id_token_hash_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_webhook_tokens
    ADD CONSTRAINT tenant_webhook_tokens_tenant_id_token_hash_key UNIQUE (tenant_id, token_hash);

--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

--
-- Name: token_keys token_keys_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.token_keys
    ADD CONSTRAINT token_keys_pkey PRIMARY KEY (kid);

--
-- Name: turns turns_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.turns
    ADD CONSTRAINT turns_pkey PRIMARY KEY (stripe);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: users users_tenant_id_email_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.users
    ADD CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email);

--
-- Name: webhook_token_key webhook_token_key_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.webhook_token_key
    ADD CONSTRAINT webhook_token_key_pkey PRIMARY KEY (singleton);

--
-- Name: webhook_topics webhook_topics_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.webhook_topics
    ADD CONSTRAINT webhook_topics_pkey PRIMARY KEY (vendor, topic);

--
-- Name: worker_failed_jobs worker_failed_jobs_pkey; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.worker_failed_jobs
    ADD CONSTRAINT worker_failed_jobs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: worker_failed_jobs worker_failed_jobs_tenant_id_job_id_key; Type: CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.worker_failed_jobs
    ADD CONSTRAINT worker_failed_jobs_tenant_id_job_id_key UNIQUE (tenant_id, job_id);

--
-- Name: mv_allocation_summary_key; Type: INDEX; Schema: analytics; Owner: skeldir_analytics
--

CREATE UNIQUE INDEX mv_allocation_summary_key ON analytics.mv_allocation_summary USING btree (tenant_id, model, channel, currency);

--
-- Name: mv_channel_performance_key; Type: INDEX; Schema: analytics; Owner: skeldir_analytics
--

CREATE UNIQUE INDEX mv_channel_performance_key ON analytics.mv_channel_performance USING btree (tenant_id, day, channel, currency);

--
-- Name: mv_daily_revenue_summary_key; Type: INDEX; Schema: analytics; Owner: skeldir_analytics
--

CREATE UNIQUE INDEX mv_daily_revenue_summary_key ON analytics.mv_daily_revenue_summary USING btree (tenant_id, day, currency);

--
-- Name: mv_reconciliation_status_key; Type: INDEX; Schema: analytics; Owner: skeldir_analytics
--

CREATE UNIQUE INDEX mv_reconciliation_status_key ON analytics.mv_reconciliation_status USING btree (tenant_id, platform);

--
-- Name: attribution_credit_history_event_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX attribution_credit_history_event_idx ON skeldir.attribution_credit_history USING btree (tenant_id, event_id, superseded_at);

--
-- Name: attribution_events_arrival_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX attribution_events_arrival_idx ON skeldir.attribution_events USING btree (tenant_id, arrived_xid) WHERE (arrived_xid IS NOT NULL);

--
-- Name: attribution_events_occurred_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX attribution_events_occurred_idx ON skeldir.attribution_events USING btree (tenant_id, occurred_at);

--
-- Name: attribution_events_order_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX attribution_events_order_idx ON skeldir.attribution_events USING btree (tenant_id, order_id) WHERE (order_id IS NOT NULL);

--
-- Name: attribution_events_session_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX attribution_events_session_idx ON skeldir.attribution_events USING btree (tenant_id, session_id, occurred_at) INCLUDE (id, channel) WHERE (session_id IS NOT NULL);

--
-- Name: dead_events_open_body_key; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE UNIQUE INDEX dead_events_open_body_key ON skeldir.dead_events USING btree (tenant_id, vendor, body_sha256) WHERE (status = ANY (ARRAY['pending'::skeldir.remediation_status, 'in_progress'::skeldir.remediation_status]));

--
-- Name: explanation_cache_expires_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX explanation_cache_expires_idx ON skeldir.explanation_cache USING btree (tenant_id, expires_at);

--
-- Name: jobs_available_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX jobs_available_idx ON skeldir.jobs USING btree (queue, run_at, id) WHERE (state = 'available'::skeldir.job_state);

--
-- Name: jobs_dedupe_key; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE UNIQUE INDEX jobs_dedupe_key ON skeldir.jobs USING btree (dedupe_key) WHERE (state = 'available'::skeldir.job_state);

--
-- Name: jobs_running_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX jobs_running_idx ON skeldir.jobs USING btree (leased_until) WHERE (state = 'running'::skeldir.job_state);

--
-- Name: llm_api_calls_month_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX llm_api_calls_month_idx ON skeldir.llm_api_calls USING btree (tenant_id, month);

--
-- Name: login_failures_failed_at_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX login_failures_failed_at_idx ON skeldir.login_failures USING btree (failed_at);

--
-- Name: login_failures_subject_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX login_failures_subject_idx ON skeldir.login_failures USING btree (subject, failed_at);

--
-- Name: pii_scan_findings_scanned_at_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX pii_scan_findings_scanned_at_idx ON skeldir.pii_scan_findings USING btree (tenant_id, scanned_at);

--
-- Name: reconciliation_results_id_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE UNIQUE INDEX reconciliation_results_id_idx ON skeldir.reconciliation_results USING btree (tenant_id, id);

--
-- Name: reconciliation_runs_requested_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX reconciliation_runs_requested_idx ON skeldir.reconciliation_runs USING btree (tenant_id, requested_at DESC);

--
-- Name: refresh_tokens_family_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX refresh_tokens_family_idx ON skeldir.refresh_tokens USING btree (tenant_id, family_id);

--
-- Name: refresh_tokens_hash_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX refresh_tokens_hash_idx ON skeldir.refresh_tokens USING btree (token_hash);

--
-- Name: refresh_tokens_user_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX refresh_tokens_user_idx ON skeldir.refresh_tokens USING btree (tenant_id, user_id) WHERE (revoked_at IS NULL);

--
-- Name: revenue_ledger_charged_back_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX revenue_ledger_charged_back_idx ON skeldir.revenue_ledger USING btree (tenant_id, vendor, COALESCE(reverses_transaction_id, transaction_id)) WHERE (state = 'chargeback'::skeldir.ledger_state);

--
-- Name: revenue_ledger_occurred_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX revenue_ledger_occurred_idx ON skeldir.revenue_ledger USING btree (tenant_id, occurred_at);

--
-- Name: revenue_ledger_order_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX revenue_ledger_order_idx ON skeldir.revenue_ledger USING btree (tenant_id, order_id);

--
-- Name: revenue_ledger_reversed_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_books
--

CREATE INDEX revenue_ledger_reversed_idx ON skeldir.revenue_ledger USING btree (tenant_id, vendor, COALESCE(reverses_transaction_id, transaction_id)) WHERE (state = 'refunded'::skeldir.ledger_state);

--
-- Name: tenant_api_keys_active_hash_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX tenant_api_keys_active_hash_idx ON skeldir.tenant_api_keys USING btree (key_hash) WHERE (revoked_at IS NULL);

--
-- Name: tenant_paypal_certificates_active_key; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE UNIQUE INDEX tenant_paypal_certificates_active_key ON skeldir.tenant_paypal_certificates USING btree (tenant_id) WHERE (revoked_at IS NULL);

--
-- Name: tenant_webhook_secrets_active_slot_key; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE UNIQUE INDEX tenant_webhook_secrets_active_slot_key ON skeldir.tenant_webhook_secrets USING btree (tenant_id, vendor, slot) WHERE (revoked_at IS NULL);

--
-- Name: tenant_webhook_tokens_active_hash_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX tenant_webhook_tokens_active_hash_idx ON skeldir.tenant_webhook_tokens USING btree (token_hash) WHERE (revoked_at IS NULL);

--
-- Name: users_email_idx; Type: INDEX; Schema: skeldir; Owner: skeldir_owner
--

CREATE INDEX users_email_idx ON skeldir.users USING btree (email);

--
-- Name: llm_api_calls add_to_month; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER add_to_month AFTER INSERT ON skeldir.llm_api_calls FOR EACH ROW EXECUTE FUNCTION skeldir.llm_add_to_month();

--
-- Name: attribution_credit_history append_only; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only BEFORE DELETE OR UPDATE ON skeldir.attribution_credit_history FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: attribution_events append_only; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only BEFORE DELETE OR UPDATE ON skeldir.attribution_events FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: llm_api_calls append_only; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only BEFORE DELETE OR UPDATE ON skeldir.llm_api_calls FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: revenue_ledger append_only; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only BEFORE DELETE OR UPDATE ON skeldir.revenue_ledger FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: attribution_credit_history append_only_truncate; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.attribution_credit_history FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: attribution_events append_only_truncate; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.attribution_events FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: llm_api_calls append_only_truncate; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.llm_api_calls FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: revenue_ledger append_only_truncate; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.revenue_ledger FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

--
-- Name: retention_rules check_retention_rule; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER check_retention_rule BEFORE INSERT OR UPDATE ON skeldir.retention_rules FOR EACH ROW EXECUTE FUNCTION skeldir.check_retention_rule();

--
-- Name: attribution_credits credit_sums_delete; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER credit_sums_delete AFTER DELETE ON skeldir.attribution_credits REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();

--
-- Name: attribution_credits credit_sums_insert; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER credit_sums_insert AFTER INSERT ON skeldir.attribution_credits REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();

--
-- Name: attribution_credits credit_sums_update; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER credit_sums_update AFTER UPDATE ON skeldir.attribution_credits REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();

--
-- Name: revenue_ledger mark_realtime_revenue_orders; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER mark_realtime_revenue_orders AFTER INSERT ON skeldir.revenue_ledger FOR EACH ROW EXECUTE FUNCTION skeldir.mark_realtime_revenue_orders();

--
-- Name: attribution_credits marks_forgotten_truncate; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER marks_forgotten_truncate AFTER TRUNCATE ON skeldir.attribution_credits FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_marks();

--
-- Name: attribution_credits recomputes_forgotten_delete; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER recomputes_forgotten_delete AFTER DELETE ON skeldir.attribution_credits REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();

--
-- Name: attribution_credits recomputes_forgotten_insert; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER recomputes_forgotten_insert AFTER INSERT ON skeldir.attribution_credits REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();

--
-- Name: attribution_credits recomputes_forgotten_update; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER recomputes_forgotten_update AFTER UPDATE ON skeldir.attribution_credits REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();

--
-- Name: attribution_events reject_pii; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE ON skeldir.attribution_events FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('idempotency_key', 'topic', 'external_id', 'order_id', 'session_id', 'channel', 'utm_source', 'utm_medium', 'referrer', 'currency', 'payload', 'pii_paths');

--
-- Name: dead_events reject_pii; Type: TRIGGER; Schema: skeldir; Owner: skeldir_owner
--

CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF topic, idempotency_header, error_type, error_message, payload, pii_paths ON skeldir.dead_events FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('topic', 'idempotency_header', 'error_type', 'error_message', 'payload', 'pii_paths');

--
-- Name: revenue_ledger reject_pii; Type: TRIGGER; Schema: skeldir; Owner: skeldir_books
--

CREATE TRIGGER reject_pii BEFORE INSERT ON skeldir.revenue_ledger FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('transaction_id', 'order_id', 'currency', 'reverses_transaction_id');

--
-- Name: ad_spend ad_spend_channel_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.ad_spend
    ADD CONSTRAINT ad_spend_channel_fkey FOREIGN KEY (channel) REFERENCES skeldir.channel_taxonomy(code);

--
-- Name: ad_spend ad_spend_currency_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.ad_spend
    ADD CONSTRAINT ad_spend_currency_fkey FOREIGN KEY (currency) REFERENCES skeldir.currencies(code);

--
-- Name: ad_spend ad_spend_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.ad_spend
    ADD CONSTRAINT ad_spend_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: attribution_credit_history attribution_credit_history_tenant_id_event_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_credit_history
    ADD CONSTRAINT attribution_credit_history_tenant_id_event_id_fkey FOREIGN KEY (tenant_id, event_id) REFERENCES skeldir.attribution_events(tenant_id, id);

--
-- Name: attribution_credit_history attribution_credit_history_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_credit_history
    ADD CONSTRAINT attribution_credit_history_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: attribution_events attribution_events_channel_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_events
    ADD CONSTRAINT attribution_events_channel_fkey FOREIGN KEY (channel) REFERENCES skeldir.channel_taxonomy(code);

--
-- Name: attribution_events attribution_events_currency_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_events
    ADD CONSTRAINT attribution_events_currency_fkey FOREIGN KEY (currency) REFERENCES skeldir.currencies(code);

--
-- Name: attribution_events attribution_events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.attribution_events
    ADD CONSTRAINT attribution_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: attribution_marks attribution_marks_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.attribution_marks
    ADD CONSTRAINT attribution_marks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: attribution_recomputes attribution_recomputes_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.attribution_recomputes
    ADD CONSTRAINT attribution_recomputes_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: budget_optimization_jobs budget_optimization_jobs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.budget_optimization_jobs
    ADD CONSTRAINT budget_optimization_jobs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: channel_rules channel_rules_channel_code_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.channel_rules
    ADD CONSTRAINT channel_rules_channel_code_fkey FOREIGN KEY (channel_code) REFERENCES skeldir.channel_taxonomy(code);

--
-- Name: dead_events dead_events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.dead_events
    ADD CONSTRAINT dead_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: explanation_cache explanation_cache_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.explanation_cache
    ADD CONSTRAINT explanation_cache_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: explanation_cache explanation_cache_tenant_id_request_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.explanation_cache
    ADD CONSTRAINT explanation_cache_tenant_id_request_id_fkey FOREIGN KEY (tenant_id, request_id) REFERENCES skeldir.llm_api_calls(tenant_id, request_id);

--
-- Name: investigations investigations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.investigations
    ADD CONSTRAINT investigations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: jobs jobs_kind_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.jobs
    ADD CONSTRAINT jobs_kind_fkey FOREIGN KEY (kind) REFERENCES skeldir.job_kinds(kind);

--
-- Name: llm_api_calls llm_api_calls_model_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.llm_api_calls
    ADD CONSTRAINT llm_api_calls_model_fkey FOREIGN KEY (model) REFERENCES skeldir.llm_models(model);

--
-- Name: llm_api_calls llm_api_calls_requested_model_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.llm_api_calls
    ADD CONSTRAINT llm_api_calls_requested_model_fkey FOREIGN KEY (requested_model) REFERENCES skeldir.llm_models(model);

--
-- Name: llm_api_calls llm_api_calls_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.llm_api_calls
    ADD CONSTRAINT llm_api_calls_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: llm_budget_caps llm_budget_caps_model_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_budget_caps
    ADD CONSTRAINT llm_budget_caps_model_fkey FOREIGN KEY (model) REFERENCES skeldir.llm_models(model);

--
-- Name: llm_budget_caps llm_budget_caps_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_budget_caps
    ADD CONSTRAINT llm_budget_caps_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: llm_monthly_costs llm_monthly_costs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_monthly_costs
    ADD CONSTRAINT llm_monthly_costs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: llm_settings llm_settings_default_model_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_settings
    ADD CONSTRAINT llm_settings_default_model_fkey FOREIGN KEY (default_model) REFERENCES skeldir.llm_models(model);

--
-- Name: llm_settings llm_settings_fallback_model_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.llm_settings
    ADD CONSTRAINT llm_settings_fallback_model_fkey FOREIGN KEY (fallback_model) REFERENCES skeldir.llm_models(model);

--
-- Name: matview_refresh_stats matview_refresh_stats_view_name_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.matview_refresh_stats
    ADD CONSTRAINT matview_refresh_stats_view_name_fkey FOREIGN KEY (view_name) REFERENCES skeldir.matviews(name) ON DELETE CASCADE;

--
-- Name: pii_scan_findings pii_scan_findings_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.pii_scan_findings
    ADD CONSTRAINT pii_scan_findings_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: realtime_revenue realtime_revenue_currency_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue
    ADD CONSTRAINT realtime_revenue_currency_fkey FOREIGN KEY (currency) REFERENCES skeldir.currencies(code);

--
-- Name: realtime_revenue_marks realtime_revenue_marks_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue_marks
    ADD CONSTRAINT realtime_revenue_marks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: realtime_revenue_orders realtime_revenue_orders_currency_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue_orders
    ADD CONSTRAINT realtime_revenue_orders_currency_fkey FOREIGN KEY (currency) REFERENCES skeldir.currencies(code);

--
-- Name: realtime_revenue_orders realtime_revenue_orders_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue_orders
    ADD CONSTRAINT realtime_revenue_orders_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: realtime_revenue realtime_revenue_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.realtime_revenue
    ADD CONSTRAINT realtime_revenue_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: reconciliation_platform_status reconciliation_platform_status_platform_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platform_status
    ADD CONSTRAINT reconciliation_platform_status_platform_fkey FOREIGN KEY (platform) REFERENCES skeldir.reconciliation_platforms(platform);

--
-- Name: reconciliation_platform_status reconciliation_platform_status_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platform_status
    ADD CONSTRAINT reconciliation_platform_status_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: reconciliation_platform_status reconciliation_platform_status_tenant_id_last_run_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platform_status
    ADD CONSTRAINT reconciliation_platform_status_tenant_id_last_run_id_fkey FOREIGN KEY (tenant_id, last_run_id) REFERENCES skeldir.reconciliation_runs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: reconciliation_platform_status reconciliation_platform_status_tenant_id_synced_run_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_platform_status
    ADD CONSTRAINT reconciliation_platform_status_tenant_id_synced_run_id_fkey FOREIGN KEY (tenant_id, synced_run_id) REFERENCES skeldir.reconciliation_runs(tenant_id, id);

--
-- Name: reconciliation_results reconciliation_results_processor_platform_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_results
    ADD CONSTRAINT reconciliation_results_processor_platform_fkey FOREIGN KEY (processor_platform) REFERENCES skeldir.reconciliation_platforms(platform);

--
-- Name: reconciliation_results reconciliation_results_shop_platform_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_results
    ADD CONSTRAINT reconciliation_results_shop_platform_fkey FOREIGN KEY (shop_platform) REFERENCES skeldir.reconciliation_platforms(platform);

--
-- Name: reconciliation_results reconciliation_results_tenant_id_run_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_results
    ADD CONSTRAINT reconciliation_results_tenant_id_run_id_fkey FOREIGN KEY (tenant_id, run_id) REFERENCES skeldir.reconciliation_runs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: reconciliation_runs reconciliation_runs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.reconciliation_runs
    ADD CONSTRAINT reconciliation_runs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: refresh_tokens refresh_tokens_tenant_id_user_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.refresh_tokens
    ADD CONSTRAINT refresh_tokens_tenant_id_user_id_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES skeldir.users(tenant_id, id) ON DELETE CASCADE;

--
-- Name: revenue_ledger revenue_ledger_currency_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.revenue_ledger
    ADD CONSTRAINT revenue_ledger_currency_fkey FOREIGN KEY (currency) REFERENCES skeldir.currencies(code);

--
-- Name: revenue_ledger revenue_ledger_tenant_id_event_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.revenue_ledger
    ADD CONSTRAINT revenue_ledger_tenant_id_event_id_fkey FOREIGN KEY (tenant_id, event_id) REFERENCES skeldir.attribution_events(tenant_id, id);

--
-- Name: revenue_ledger revenue_ledger_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE ONLY skeldir.revenue_ledger
    ADD CONSTRAINT revenue_ledger_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: schedules schedules_kind_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.schedules
    ADD CONSTRAINT schedules_kind_fkey FOREIGN KEY (kind) REFERENCES skeldir.job_kinds(kind);

--
-- Name: tenant_api_keys tenant_api_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_api_keys
    ADD CONSTRAINT tenant_api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_paypal_certificates tenant_paypal_certificates_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_paypal_certificates
    ADD CONSTRAINT tenant_paypal_certificates_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_webhook_secrets tenant_webhook_secrets_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_webhook_secrets
    ADD CONSTRAINT tenant_webhook_secrets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_webhook_tokens tenant_webhook_tokens_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.tenant_webhook_tokens
    ADD CONSTRAINT tenant_webhook_tokens_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id) ON DELETE CASCADE;

--
-- Name: users users_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.users
    ADD CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id) ON DELETE CASCADE;

--
-- Name: worker_failed_jobs worker_failed_jobs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE ONLY skeldir.worker_failed_jobs
    ADD CONSTRAINT worker_failed_jobs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES skeldir.tenants(id);

--
-- Name: ad_spend; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.ad_spend ENABLE ROW LEVEL SECURITY;

--
-- Name: ad_spend analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.ad_spend AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_credit_history analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY analyst_binding ON skeldir.attribution_credit_history AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_credits analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.attribution_credits AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_events analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY analyst_binding ON skeldir.attribution_events AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_marks analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.attribution_marks AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_recomputes analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.attribution_recomputes AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: budget_optimization_jobs analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.budget_optimization_jobs AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: dead_events analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.dead_events AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: explanation_cache analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.explanation_cache AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: investigations analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.investigations AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: llm_api_calls analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY analyst_binding ON skeldir.llm_api_calls AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: llm_budget_caps analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.llm_budget_caps AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: llm_monthly_costs analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.llm_monthly_costs AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: pii_scan_findings analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.pii_scan_findings AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: realtime_revenue analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.realtime_revenue AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: realtime_revenue_marks analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.realtime_revenue_marks AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: realtime_revenue_orders analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.realtime_revenue_orders AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: reconciliation_platform_status analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.reconciliation_platform_status AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: reconciliation_results analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.reconciliation_results AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: reconciliation_runs analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.reconciliation_runs AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: refresh_tokens analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.refresh_tokens AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: revenue_ledger analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY analyst_binding ON skeldir.revenue_ledger AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: tenant_api_keys analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.tenant_api_keys AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: tenant_paypal_certificates analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.tenant_paypal_certificates AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: tenant_webhook_secrets analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.tenant_webhook_secrets AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: tenant_webhook_tokens analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.tenant_webhook_tokens AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: tenants analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.tenants AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((id = skeldir.analyst_tenant()));

--
-- Name: users analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.users AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: worker_failed_jobs analyst_binding; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY analyst_binding ON skeldir.worker_failed_jobs AS RESTRICTIVE FOR SELECT TO skeldir_readonly USING ((tenant_id = skeldir.analyst_tenant()));

--
-- Name: attribution_credit_history; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE skeldir.attribution_credit_history ENABLE ROW LEVEL SECURITY;

--
-- Name: attribution_credits; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.attribution_credits ENABLE ROW LEVEL SECURITY;

--
-- Name: attribution_events; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE skeldir.attribution_events ENABLE ROW LEVEL SECURITY;

--
-- Name: attribution_marks; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.attribution_marks ENABLE ROW LEVEL SECURITY;

--
-- Name: attribution_recomputes; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.attribution_recomputes ENABLE ROW LEVEL SECURITY;

--
-- Name: budget_optimization_jobs; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.budget_optimization_jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: dead_events; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.dead_events ENABLE ROW LEVEL SECURITY;

--
-- Name: explanation_cache; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.explanation_cache ENABLE ROW LEVEL SECURITY;

--
-- Name: investigations; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.investigations ENABLE ROW LEVEL SECURITY;

--
-- Name: llm_api_calls; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE skeldir.llm_api_calls ENABLE ROW LEVEL SECURITY;

--
-- Name: llm_budget_caps; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.llm_budget_caps ENABLE ROW LEVEL SECURITY;

--
-- Name: llm_monthly_costs; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.llm_monthly_costs ENABLE ROW LEVEL SECURITY;

--
-- Name: pii_scan_findings; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.pii_scan_findings ENABLE ROW LEVEL SECURITY;

--
-- Name: users presented_email; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY presented_email ON skeldir.users FOR SELECT TO skeldir_owner USING ((email = skeldir.presented_login_email()));

--
-- Name: tenant_api_keys presented_key; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY presented_key ON skeldir.tenant_api_keys FOR SELECT USING ((key_hash = skeldir.presented_key_hash()));

--
-- Name: refresh_tokens presented_token; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY presented_token ON skeldir.refresh_tokens FOR SELECT TO skeldir_owner USING ((token_hash = skeldir.presented_refresh_token_hash()));

--
-- Name: tenant_webhook_tokens presented_token; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY presented_token ON skeldir.tenant_webhook_tokens FOR SELECT USING ((token_hash = skeldir.presented_webhook_token_hash()));

--
-- Name: realtime_revenue; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.realtime_revenue ENABLE ROW LEVEL SECURITY;

--
-- Name: realtime_revenue_marks; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.realtime_revenue_marks ENABLE ROW LEVEL SECURITY;

--
-- Name: realtime_revenue_orders; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.realtime_revenue_orders ENABLE ROW LEVEL SECURITY;

--
-- Name: reconciliation_platform_status; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.reconciliation_platform_status ENABLE ROW LEVEL SECURITY;

--
-- Name: reconciliation_results; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.reconciliation_results ENABLE ROW LEVEL SECURITY;

--
-- Name: reconciliation_runs; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.reconciliation_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: refresh_tokens; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.refresh_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: revenue_ledger; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_books
--

ALTER TABLE skeldir.revenue_ledger ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_api_keys; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.tenant_api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: tenants tenant_directory; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_directory ON skeldir.tenants FOR SELECT TO skeldir_owner USING ((skeldir.current_tenant_id() = skeldir.system_tenant()));

--
-- Name: ad_spend tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.ad_spend USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: attribution_credit_history tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY tenant_isolation ON skeldir.attribution_credit_history USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: attribution_credits tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.attribution_credits USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: attribution_events tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY tenant_isolation ON skeldir.attribution_events USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: attribution_marks tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.attribution_marks USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: attribution_recomputes tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.attribution_recomputes USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: budget_optimization_jobs tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.budget_optimization_jobs USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: dead_events tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.dead_events USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: explanation_cache tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.explanation_cache USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: investigations tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.investigations USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: llm_api_calls tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY tenant_isolation ON skeldir.llm_api_calls USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: llm_budget_caps tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.llm_budget_caps USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: llm_monthly_costs tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.llm_monthly_costs USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: pii_scan_findings tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.pii_scan_findings USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: realtime_revenue tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.realtime_revenue USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: realtime_revenue_marks tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.realtime_revenue_marks USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: realtime_revenue_orders tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.realtime_revenue_orders USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: reconciliation_platform_status tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.reconciliation_platform_status USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: reconciliation_results tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.reconciliation_results USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: reconciliation_runs tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.reconciliation_runs USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: refresh_tokens tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.refresh_tokens USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: revenue_ledger tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_books
--

CREATE POLICY tenant_isolation ON skeldir.revenue_ledger USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenant_api_keys tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.tenant_api_keys USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenant_paypal_certificates tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.tenant_paypal_certificates USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenant_webhook_secrets tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.tenant_webhook_secrets USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenant_webhook_tokens tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.tenant_webhook_tokens USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenants tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.tenants USING ((id = skeldir.current_tenant_id())) WITH CHECK ((id = skeldir.current_tenant_id()));

--
-- Name: users tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.users USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: worker_failed_jobs tenant_isolation; Type: POLICY; Schema: skeldir; Owner: skeldir_owner
--

CREATE POLICY tenant_isolation ON skeldir.worker_failed_jobs USING ((tenant_id = skeldir.current_tenant_id())) WITH CHECK ((tenant_id = skeldir.current_tenant_id()));

--
-- Name: tenant_paypal_certificates; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.tenant_paypal_certificates ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_webhook_secrets; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.tenant_webhook_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_webhook_tokens; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.tenant_webhook_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: tenants; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.tenants ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.users ENABLE ROW LEVEL SECURITY;

--
-- Name: worker_failed_jobs; Type: ROW SECURITY; Schema: skeldir; Owner: skeldir_owner
--

ALTER TABLE skeldir.worker_failed_jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: skeldir_ingest; Type: PUBLICATION; Schema: -; Owner: skeldir_owner
--

CREATE PUBLICATION skeldir_ingest WITH (publish = 'insert');

ALTER PUBLICATION skeldir_ingest OWNER TO skeldir_owner;

--
-- Name: skeldir_ingest attribution_events; Type: PUBLICATION TABLE; Schema: skeldir; Owner: skeldir_owner
--

ALTER PUBLICATION skeldir_ingest ADD TABLE ONLY skeldir.attribution_events (tenant_id, id, event_type, order_id, session_id, revenue_cents, occurred_at);

--
-- Name: skeldir_ingest revenue_ledger; Type: PUBLICATION TABLE; Schema: skeldir; Owner: skeldir_owner
--

ALTER PUBLICATION skeldir_ingest ADD TABLE ONLY skeldir.revenue_ledger (tenant_id, id, state, amount_cents, occurred_at);

--
-- Name: SCHEMA admin; Type: ACL; Schema: -; Owner: skeldir_owner
--

GRANT USAGE ON SCHEMA admin TO skeldir_admin;

--
-- Name: SCHEMA api; Type: ACL; Schema: -; Owner: skeldir_owner
--

GRANT USAGE ON SCHEMA api TO skeldir_api;

--
-- Name: SCHEMA skeldir; Type: ACL; Schema: -; Owner: skeldir_owner
--

GRANT USAGE ON SCHEMA skeldir TO skeldir_readonly;
GRANT USAGE ON SCHEMA skeldir TO skeldir_analytics;
GRANT USAGE ON SCHEMA skeldir TO skeldir_books;

--
-- Name: SCHEMA worker; Type: ACL; Schema: -; Owner: skeldir_owner
--

GRANT USAGE ON SCHEMA worker TO skeldir_worker;

--
-- Name: FUNCTION audit_analysts(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.audit_analysts() FROM PUBLIC;

--
-- Name: FUNCTION forbid_change(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.forbid_change() FROM PUBLIC;

--
-- Name: FUNCTION audit_books(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.audit_books() FROM PUBLIC;

--
-- Name: FUNCTION audit_credentials(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.audit_credentials() FROM PUBLIC;

--
-- Name: FUNCTION audit_privileges(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.audit_privileges() FROM PUBLIC;

--
-- Name: FUNCTION audit_replication(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.audit_replication() FROM PUBLIC;

--
-- Name: FUNCTION audit(); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.audit() FROM PUBLIC;
GRANT ALL ON FUNCTION admin.audit() TO skeldir_admin;

--
-- Name: FUNCTION create_tenant(name text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.create_tenant(name text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.create_tenant(name text) TO skeldir_admin;

--
-- Name: FUNCTION create_user(tenant_id uuid, email text, password text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.create_user(tenant_id uuid, email text, password text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.create_user(tenant_id uuid, email text, password text) TO skeldir_admin;

--
-- Name: FUNCTION enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text) FROM PUBLIC;

--
-- Name: FUNCTION enqueue(kind text, args jsonb, tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.enqueue(kind text, args jsonb, tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.enqueue(kind text, args jsonb, tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION grant_analyst(tenant_id uuid, login name); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.grant_analyst(tenant_id uuid, login name) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.grant_analyst(tenant_id uuid, login name) TO skeldir_admin;

--
-- Name: FUNCTION import_spend(tenant_id uuid, rows jsonb); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.import_spend(tenant_id uuid, rows jsonb) TO skeldir_admin;

--
-- Name: FUNCTION list_analysts(); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.list_analysts() FROM PUBLIC;
GRANT ALL ON FUNCTION admin.list_analysts() TO skeldir_admin;

--
-- Name: FUNCTION list_api_keys(tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.list_api_keys(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.list_api_keys(tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION list_dead_events(tenant_id uuid, only_status skeldir.remediation_status, max_rows integer); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.list_dead_events(tenant_id uuid, only_status skeldir.remediation_status, max_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.list_dead_events(tenant_id uuid, only_status skeldir.remediation_status, max_rows integer) TO skeldir_admin;

--
-- Name: FUNCTION signing_token_key(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.signing_token_key() FROM PUBLIC;

--
-- Name: FUNCTION list_token_keys(); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.list_token_keys() FROM PUBLIC;
GRANT ALL ON FUNCTION admin.list_token_keys() TO skeldir_admin;

--
-- Name: FUNCTION pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text) TO skeldir_admin;

--
-- Name: FUNCTION replay_dead_event(tenant_id uuid, dead_event_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION replay_dead_events(tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.replay_dead_events(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.replay_dead_events(tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION retire_token_key(kid text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.retire_token_key(kid text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.retire_token_key(kid text) TO skeldir_admin;

--
-- Name: FUNCTION revoke_analyst(login name); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.revoke_analyst(login name) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.revoke_analyst(login name) TO skeldir_admin;

--
-- Name: FUNCTION revoke_api_key(tenant_id uuid, prefix text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) TO skeldir_admin;

--
-- Name: FUNCTION revoke_webhook_url(tenant_id uuid, prefix text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) TO skeldir_admin;

--
-- Name: FUNCTION rotate_api_key(tenant_id uuid, revoke_existing boolean); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean) TO skeldir_admin;

--
-- Name: FUNCTION rotate_token_key(); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.rotate_token_key() FROM PUBLIC;
GRANT ALL ON FUNCTION admin.rotate_token_key() TO skeldir_admin;

--
-- Name: FUNCTION rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor, secret text) TO skeldir_admin;

--
-- Name: FUNCTION rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) TO skeldir_admin;

--
-- Name: FUNCTION scan_pii(tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.scan_pii(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.scan_pii(tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION set_fault_injection(enabled boolean); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.set_fault_injection(enabled boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.set_fault_injection(enabled boolean) TO skeldir_admin;

--
-- Name: FUNCTION set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text, model text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text, model text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.set_llm_budget_cap(tenant uuid, monthly_cap_micros bigint, on_exceed text, model text) TO skeldir_admin;

--
-- Name: FUNCTION set_user_enabled(tenant_id uuid, email text, enabled boolean); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) TO skeldir_admin;

--
-- Name: FUNCTION set_user_password(tenant_id uuid, email text, password text); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) TO skeldir_admin;

--
-- Name: FUNCTION unpin_paypal_certificate(tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION webhook_urls(tenant_id uuid); Type: ACL; Schema: admin; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION admin.webhook_urls(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION admin.webhook_urls(tenant_id uuid) TO skeldir_admin;

--
-- Name: FUNCTION budget_recommendation_for(tenant uuid, job_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.budget_recommendation_for(tenant uuid, job_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.enter_session(access_token text, OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid, OUT expires_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION session_tenant(access_token text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.session_tenant(access_token text) FROM PUBLIC;

--
-- Name: FUNCTION budget_recommendation(access_token text, job_id uuid); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.budget_recommendation(access_token text, job_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.budget_recommendation(access_token text, job_id uuid) TO skeldir_api;

--
-- Name: FUNCTION channel_attribution_for(tenant uuid, start_date date, end_date date, model text, currency text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.channel_attribution_for(tenant uuid, start_date date, end_date date, model text, currency text) FROM PUBLIC;

--
-- Name: FUNCTION channel_attribution(access_token text, start_date date, end_date date, model text, currency text); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.channel_attribution(access_token text, start_date date, end_date date, model text, currency text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.channel_attribution(access_token text, start_date date, end_date date, model text, currency text) TO skeldir_api;

--
-- Name: FUNCTION explain_for(tenant uuid, entity_type text, entity_id text, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.explain_for(tenant uuid, entity_type text, entity_id text, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION explain(access_token text, entity_type text, entity_id text, request_id uuid); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.explain(access_token text, entity_type text, entity_id text, request_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.explain(access_token text, entity_type text, entity_id text, request_id uuid) TO skeldir_api;

--
-- Name: FUNCTION health_summary(); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.health_summary() FROM PUBLIC;
GRANT ALL ON FUNCTION api.health_summary() TO skeldir_api;

--
-- Name: FUNCTION ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb) TO skeldir_api;

--
-- Name: FUNCTION ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb, OUT tenant_id uuid, OUT refresh_realtime boolean, OUT recompute_days date[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid, OUT http_status integer, OUT outcome text, OUT response jsonb, OUT tenant_id uuid, OUT refresh_realtime boolean, OUT recompute_days date[]) FROM PUBLIC;

--
-- Name: FUNCTION request_attribution_recompute(tenant uuid, day date); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) FROM PUBLIC;

--
-- Name: FUNCTION request_realtime_revenue(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_realtime_revenue(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[], request_ids uuid[]); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[], request_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[], request_ids uuid[]) TO skeldir_api;

--
-- Name: FUNCTION investigation_status_for(tenant uuid, investigation_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.investigation_status_for(tenant uuid, investigation_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION investigation_status(access_token text, investigation_id uuid); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.investigation_status(access_token text, investigation_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.investigation_status(access_token text, investigation_id uuid) TO skeldir_api;

--
-- Name: FUNCTION login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer) FROM PUBLIC;
GRANT ALL ON FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer) TO skeldir_api;

--
-- Name: FUNCTION logout(access_token text, refresh_token text); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.logout(access_token text, refresh_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.logout(access_token text, refresh_token text) TO skeldir_api;

--
-- Name: FUNCTION put_spend_for(tenant uuid, rows jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.put_spend_for(tenant uuid, rows jsonb) FROM PUBLIC;

--
-- Name: FUNCTION put_spend(access_token text, rows jsonb); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.put_spend(access_token text, rows jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION api.put_spend(access_token text, rows jsonb) TO skeldir_api;

--
-- Name: FUNCTION queue_stats(); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.queue_stats() FROM PUBLIC;
GRANT ALL ON FUNCTION api.queue_stats() TO skeldir_api;

--
-- Name: FUNCTION readiness(); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.readiness() FROM PUBLIC;
GRANT ALL ON FUNCTION api.readiness() TO skeldir_api;

--
-- Name: FUNCTION major_units(minor numeric, currency text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.major_units(minor numeric, currency text) FROM PUBLIC;

--
-- Name: FUNCTION realtime_revenue_for(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.realtime_revenue_for(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_status_for(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_status_for(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION realtime_revenue_counter_for(tenant uuid, OUT etag text, OUT body jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.realtime_revenue_counter_for(tenant uuid, OUT etag text, OUT body jsonb) FROM PUBLIC;

--
-- Name: FUNCTION realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION api.realtime_revenue_counter(access_token text, OUT etag text, OUT body jsonb) TO skeldir_api;

--
-- Name: FUNCTION reconciliation_overview_for(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_overview_for(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_overview(access_token text); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.reconciliation_overview(access_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.reconciliation_overview(access_token text) TO skeldir_api;

--
-- Name: FUNCTION reconciliation_platform_for(tenant uuid, platform_id text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_platform_for(tenant uuid, platform_id text) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_platform(access_token text, platform_id text); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.reconciliation_platform(access_token text, platform_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.reconciliation_platform(access_token text, platform_id text) TO skeldir_api;

--
-- Name: FUNCTION refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) FROM PUBLIC;
GRANT ALL ON FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) TO skeldir_api;

--
-- Name: FUNCTION request_reconciliation_for(tenant uuid, start_date date, end_date date); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_reconciliation_for(tenant uuid, start_date date, end_date date) FROM PUBLIC;

--
-- Name: FUNCTION request_reconciliation(access_token text, start_date date, end_date date); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.request_reconciliation(access_token text, start_date date, end_date date) FROM PUBLIC;
GRANT ALL ON FUNCTION api.request_reconciliation(access_token text, start_date date, end_date date) TO skeldir_api;

--
-- Name: FUNCTION revenue_export_for(tenant uuid, from_day date, to_day date, channels text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.revenue_export_for(tenant uuid, from_day date, to_day date, channels text[]) FROM PUBLIC;

--
-- Name: FUNCTION revenue_export(access_token text, from_day date, to_day date, channels text[]); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.revenue_export(access_token text, from_day date, to_day date, channels text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION api.revenue_export(access_token text, from_day date, to_day date, channels text[]) TO skeldir_api;

--
-- Name: FUNCTION start_budget_optimization_for(tenant uuid, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.start_budget_optimization_for(tenant uuid, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.start_budget_optimization(access_token text, total_budget numeric, optimization_goal text, constraints jsonb, request_id uuid) TO skeldir_api;

--
-- Name: FUNCTION start_investigation_for(tenant uuid, question text, context jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.start_investigation_for(tenant uuid, question text, context jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION start_investigation(access_token text, question text, context jsonb, request_id uuid); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.start_investigation(access_token text, question text, context jsonb, request_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION api.start_investigation(access_token text, question text, context jsonb, request_id uuid) TO skeldir_api;

--
-- Name: FUNCTION start_worker_probe(); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.start_worker_probe() FROM PUBLIC;
GRANT ALL ON FUNCTION api.start_worker_probe() TO skeldir_api;

--
-- Name: FUNCTION verify_session(access_token text); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.verify_session(access_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.verify_session(access_token text) TO skeldir_api;

--
-- Name: FUNCTION worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision); Type: ACL; Schema: api; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION api.worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION api.worker_probe(probe_id bigint, OUT state text, OUT latency_ms double precision) TO skeldir_api;

--
-- Name: FUNCTION allocation_summary_for(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.allocation_summary_for(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION analyst_tenant(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.analyst_tenant() FROM PUBLIC;
GRANT ALL ON FUNCTION skeldir.analyst_tenant() TO skeldir_readonly;

--
-- Name: FUNCTION attribute(list jsonb, key_field text, value_field text, VARIADIC names text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.attribute(list jsonb, key_field text, value_field text, VARIADIC names text[]) FROM PUBLIC;

--
-- Name: FUNCTION attribution_days(orders text[], days date[], sessions text[], touched_at timestamp with time zone[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamp with time zone[]) FROM PUBLIC;

--
-- Name: FUNCTION body_delivery_key(vendor skeldir.vendor, payload jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.body_delivery_key(vendor skeldir.vendor, payload jsonb) FROM PUBLIC;

--
-- Name: FUNCTION book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION budget_recommendation(budget_optimization_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION certificate_rsa_key(certificate_pem text, OUT modulus numeric, OUT exponent numeric); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.certificate_rsa_key(certificate_pem text, OUT modulus numeric, OUT exponent numeric) FROM PUBLIC;

--
-- Name: FUNCTION change_feed_slot(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.change_feed_slot() FROM PUBLIC;

--
-- Name: FUNCTION channel_code(entity_id text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.channel_code(entity_id text) FROM PUBLIC;

--
-- Name: FUNCTION namespace_url(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.namespace_url() FROM PUBLIC;

--
-- Name: FUNCTION uuid_v5(namespace uuid, name text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.uuid_v5(namespace uuid, name text) FROM PUBLIC;

--
-- Name: FUNCTION channel_id(code text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.channel_id(code text) FROM PUBLIC;

--
-- Name: FUNCTION channel_performance_for(tenant uuid, from_day date, to_day date); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.channel_performance_for(tenant uuid, from_day date, to_day date) FROM PUBLIC;

--
-- Name: FUNCTION check_credit_sums(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.check_credit_sums() FROM PUBLIC;

--
-- Name: FUNCTION check_password(password text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.check_password(password text) FROM PUBLIC;

--
-- Name: FUNCTION check_retention_rule(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.check_retention_rule() FROM PUBLIC;

--
-- Name: FUNCTION classify_channel(utm_source text, utm_medium text, referrer text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.classify_channel(utm_source text, utm_medium text, referrer text) FROM PUBLIC;

--
-- Name: FUNCTION clean_url(url text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.clean_url(url text) FROM PUBLIC;

--
-- Name: FUNCTION colocated_relation(fired regclass, logical regclass); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.colocated_relation(fired regclass, logical regclass) FROM PUBLIC;

--
-- Name: FUNCTION contains_pii(doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.contains_pii(doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION copy_function_grants_to_workers(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.copy_function_grants_to_workers() FROM PUBLIC;

--
-- Name: FUNCTION count_matview_refresh(view_name text, outcome text, seconds double precision); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.count_matview_refresh(view_name text, outcome text, seconds double precision) FROM PUBLIC;

--
-- Name: FUNCTION count_failed_matview_refresh(job skeldir.jobs, outcome text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.count_failed_matview_refresh(job skeldir.jobs, outcome text) FROM PUBLIC;

--
-- Name: FUNCTION crc32(data bytea); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.crc32(data bytea) FROM PUBLIC;

--
-- Name: FUNCTION crc32_table(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.crc32_table() FROM PUBLIC;

--
-- Name: FUNCTION credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.credit_sums_hold(window_start timestamp with time zone, window_end timestamp with time zone, purchases uuid[]) FROM PUBLIC;

--
-- Name: FUNCTION current_tenant_id(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.current_tenant_id() FROM PUBLIC;
GRANT ALL ON FUNCTION skeldir.current_tenant_id() TO skeldir_readonly;

--
-- Name: FUNCTION daily_revenue_for(tenant uuid, from_day date, to_day date); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.daily_revenue_for(tenant uuid, from_day date, to_day date) FROM PUBLIC;

--
-- Name: FUNCTION dead_letter_reason(error_type text, error_message text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.dead_letter_reason(error_type text, error_message text) FROM PUBLIC;

--
-- Name: FUNCTION der_element(der bytea, at integer, tag integer, OUT content_at integer, OUT content_length integer); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.der_element(der bytea, at integer, tag integer, OUT content_at integer, OUT content_length integer) FROM PUBLIC;

--
-- Name: FUNCTION distribute_on_citus(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.distribute_on_citus() FROM PUBLIC;

--
-- Name: FUNCTION end_sessions(user_id uuid, reason text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.end_sessions(user_id uuid, reason text) FROM PUBLIC;

--
-- Name: FUNCTION enter_tenant(tenant_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.enter_tenant(tenant_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION explain(entity_type text, entity_id text, options jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.explain(entity_type text, entity_id text, options jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION forget_attribution_marks(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.forget_attribution_marks() FROM PUBLIC;

--
-- Name: FUNCTION forget_attribution_recomputes(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.forget_attribution_recomputes() FROM PUBLIC;

--
-- Name: FUNCTION from_base64url(segment text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.from_base64url(segment text) FROM PUBLIC;

--
-- Name: FUNCTION header_delivery_key(vendor skeldir.vendor, headers jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.header_delivery_key(vendor skeldir.vendor, headers jsonb) FROM PUBLIC;

--
-- Name: FUNCTION in_major_units(minor numeric, exponent integer); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.in_major_units(minor numeric, exponent integer) FROM PUBLIC;

--
-- Name: FUNCTION install_webhook_secret(vendor skeldir.vendor, secret text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text) FROM PUBLIC;

--
-- Name: FUNCTION investigation_status(investigation_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.investigation_status(investigation_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION is_woocommerce_ping(vendor skeldir.vendor, body bytea); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.is_woocommerce_ping(vendor skeldir.vendor, body bytea) FROM PUBLIC;

--
-- Name: FUNCTION isolate_by_tenant(tbl regclass, key_column name); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.isolate_by_tenant(tbl regclass, key_column name) FROM PUBLIC;

--
-- Name: FUNCTION issue_access_token(tenant_id uuid, user_id uuid, session_id uuid, ttl interval); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.issue_access_token(tenant_id uuid, user_id uuid, session_id uuid, ttl interval) FROM PUBLIC;

--
-- Name: FUNCTION issue_api_key(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.issue_api_key() FROM PUBLIC;

--
-- Name: FUNCTION issue_refresh_token(user_id uuid, family_id uuid, ttl interval); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.issue_refresh_token(user_id uuid, family_id uuid, ttl interval) FROM PUBLIC;

--
-- Name: FUNCTION issue_webhook_token(vendor skeldir.vendor); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.issue_webhook_token(vendor skeldir.vendor) FROM PUBLIC;

--
-- Name: FUNCTION jsonb_without_null_keys(o jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.jsonb_without_null_keys(o jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_add_to_month(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_add_to_month() FROM PUBLIC;

--
-- Name: FUNCTION llm_attribution_score_facts(event_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_attribution_score_facts(event_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION llm_budget_facts(inputs jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_budget_facts(inputs jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_budget_inputs(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_budget_inputs(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_budget_recommendation_facts(budget_optimization_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_budget_recommendation_facts(budget_optimization_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION llm_call(feature skeldir.llm_feature, request_id uuid, prompt jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_call(feature skeldir.llm_feature, request_id uuid, prompt jsonb) FROM PUBLIC;

--
-- Name: TABLE llm_api_calls; Type: ACL; Schema: skeldir; Owner: skeldir_books
--

GRANT SELECT ON TABLE skeldir.llm_api_calls TO skeldir_readonly;
GRANT SELECT,INSERT ON TABLE skeldir.llm_api_calls TO skeldir_owner;

--
-- Name: FUNCTION llm_call_result(c skeldir.llm_api_calls); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_call_result(c skeldir.llm_api_calls) FROM PUBLIC;

--
-- Name: FUNCTION llm_channel_performance_facts(channel text, scope jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_channel_performance_facts(channel text, scope jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_cost_micros(micros_per_1k_tokens bigint, tokens bigint); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_cost_micros(micros_per_1k_tokens bigint, tokens bigint) FROM PUBLIC;

--
-- Name: FUNCTION llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_deterministic_v1(feature skeldir.llm_feature, prompt jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_estimate_tokens(content jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_estimate_tokens(content jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_explanation_facts(entity_type text, entity_id text, options jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_explanation_facts(entity_type text, entity_id text, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_investigation_facts(question text, context jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_investigation_facts(question text, context jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_job_begin(job_table regclass, what text, args jsonb, id_key text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_job_begin(job_table regclass, what text, args jsonb, id_key text) FROM PUBLIC;

--
-- Name: FUNCTION llm_job_enqueue(job_table regclass, kind text, id_key text, id uuid, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_job_enqueue(job_table regclass, kind text, id_key text, id uuid, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION llm_job_finish(job_table regclass, id uuid, request_id uuid, feature skeldir.llm_feature, instructions text, facts jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_job_finish(job_table regclass, id uuid, request_id uuid, feature skeldir.llm_feature, instructions text, facts jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint, tenant_id uuid, OUT status text, OUT progress_percentage integer, OUT error text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_job_standing(row_status skeldir.llm_job_status, row_error text, job_id bigint, tenant_id uuid, OUT status text, OUT progress_percentage integer, OUT error text) FROM PUBLIC;

--
-- Name: FUNCTION llm_reconciliation_discrepancy_facts(result_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_reconciliation_discrepancy_facts(result_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION llm_scope(options jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_scope(options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_scope_from(scope jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_scope_from(scope jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_scope_to(scope jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_scope_to(scope jsonb) FROM PUBLIC;

--
-- Name: FUNCTION llm_tenant_model(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.llm_tenant_model() FROM PUBLIC;

--
-- Name: FUNCTION login_retry_after(subject bytea, max integer, "window" interval, asof timestamp with time zone); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.login_retry_after(subject bytea, max integer, "window" interval, asof timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION login_subject(kind text, value text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.login_subject(kind text, value text) FROM PUBLIC;

--
-- Name: FUNCTION mark_realtime_revenue_orders(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.mark_realtime_revenue_orders() FROM PUBLIC;

--
-- Name: FUNCTION may_hold_pii(kind text, value text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.may_hold_pii(kind text, value text) FROM PUBLIC;

--
-- Name: FUNCTION minor_units(amount jsonb, currency text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.minor_units(amount jsonb, currency text) FROM PUBLIC;

--
-- Name: FUNCTION mod_pow(base numeric, exponent numeric, modulus numeric); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.mod_pow(base numeric, exponent numeric, modulus numeric) FROM PUBLIC;

--
-- Name: FUNCTION normalize_email(email text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.normalize_email(email text) FROM PUBLIC;

--
-- Name: FUNCTION paypal_transmission_valid(headers jsonb, body bytea, pinned skeldir.tenant_paypal_certificates); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.paypal_transmission_valid(headers jsonb, body bytea, pinned skeldir.tenant_paypal_certificates) FROM PUBLIC;

--
-- Name: FUNCTION pii_found(doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.pii_found(doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION pii_keys(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.pii_keys() FROM PUBLIC;

--
-- Name: FUNCTION pii_pattern(kind text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.pii_pattern(kind text) FROM PUBLIC;

--
-- Name: FUNCTION pii_kinds(value text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.pii_kinds(value text) FROM PUBLIC;

--
-- Name: FUNCTION pii_value(value text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.pii_value(value text) FROM PUBLIC;

--
-- Name: FUNCTION presented_key_hash(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.presented_key_hash() FROM PUBLIC;

--
-- Name: FUNCTION presented_login_email(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.presented_login_email() FROM PUBLIC;

--
-- Name: FUNCTION presented_refresh_token_hash(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.presented_refresh_token_hash() FROM PUBLIC;

--
-- Name: FUNCTION presented_webhook_token_hash(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.presented_webhook_token_hash() FROM PUBLIC;

--
-- Name: FUNCTION project(shape jsonb, doc jsonb, path text, OUT kept jsonb, OUT dropped text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.project(shape jsonb, doc jsonb, path text, OUT kept jsonb, OUT dropped text[]) FROM PUBLIC;

--
-- Name: FUNCTION project_payload(vendor skeldir.vendor, doc jsonb, OUT kept jsonb, OUT dropped text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.project_payload(vendor skeldir.vendor, doc jsonb, OUT kept jsonb, OUT dropped text[]) FROM PUBLIC;

--
-- Name: FUNCTION prune_batch(rule skeldir.retention_rules); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.prune_batch(rule skeldir.retention_rules) FROM PUBLIC;

--
-- Name: TABLE webhook_topics; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.webhook_topics TO skeldir_readonly;

--
-- Name: FUNCTION read_delivery(topic skeldir.webhook_topics, doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_delivery(topic skeldir.webhook_topics, doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION read_paypal(topic skeldir.webhook_topics, doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_paypal(topic skeldir.webhook_topics, doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION read_shopify(topic skeldir.webhook_topics, doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_shopify(topic skeldir.webhook_topics, doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION read_stripe(topic skeldir.webhook_topics, doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_stripe(topic skeldir.webhook_topics, doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea, OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery, OUT payload jsonb, OUT pii_paths text[], OUT error_type text, OUT error_message text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea, OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery, OUT payload jsonb, OUT pii_paths text[], OUT error_type text, OUT error_message text) FROM PUBLIC;

--
-- Name: FUNCTION read_woocommerce(topic skeldir.webhook_topics, doc jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.read_woocommerce(topic skeldir.webhook_topics, doc jsonb) FROM PUBLIC;

--
-- Name: FUNCTION reap_expired_leases(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reap_expired_leases() FROM PUBLIC;

--
-- Name: FUNCTION recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text, job_id bigint); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.recompute_attribution(window_start timestamp with time zone, window_end timestamp with time zone, reason text, job_id bigint) FROM PUBLIC;

--
-- Name: TABLE reconciliation_runs; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.reconciliation_runs TO skeldir_readonly;

--
-- Name: FUNCTION reconcile(run_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconcile(run_id uuid) FROM PUBLIC;

--
-- Name: TABLE reconciliation_platform_status; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.reconciliation_platform_status TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.reconciliation_platform_status TO skeldir_analytics;

--
-- Name: TABLE reconciliation_platforms; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.reconciliation_platforms TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.reconciliation_platforms TO skeldir_analytics;

--
-- Name: TABLE tenants; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.tenants TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.tenants TO skeldir_analytics;

--
-- Name: FUNCTION reconciliation_platform_json(s analytics.mv_reconciliation_status); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_rows(tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_rows(tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION reconciliation_run_failed(job skeldir.jobs, outcome text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reconciliation_run_failed(job skeldir.jobs, outcome text) FROM PUBLIC;

--
-- Name: FUNCTION record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text, error_type text, error_message text, payload jsonb, pii_paths text[], body bytea, correlation_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text, error_type text, error_message text, payload jsonb, pii_paths text[], body bytea, correlation_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb, pii_paths text[], idempotency_header text, OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid, OUT channel text, OUT duplicate boolean, OUT refresh_realtime boolean, OUT recompute_days date[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb, pii_paths text[], idempotency_header text, OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid, OUT channel text, OUT duplicate boolean, OUT refresh_realtime boolean, OUT recompute_days date[]) FROM PUBLIC;

--
-- Name: FUNCTION record_spend(rows jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.record_spend(rows jsonb) FROM PUBLIC;

--
-- Name: FUNCTION redact_pii(value text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.redact_pii(value text) FROM PUBLIC;

--
-- Name: FUNCTION redacted_key(key text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.redacted_key(key text) FROM PUBLIC;

--
-- Name: FUNCTION refresh_matview(view_name text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.refresh_matview(view_name text) FROM PUBLIC;

--
-- Name: FUNCTION refresh_realtime_revenue(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.refresh_realtime_revenue() FROM PUBLIC;

--
-- Name: FUNCTION refresh_token_digest(token text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.refresh_token_digest(token text) FROM PUBLIC;

--
-- Name: FUNCTION reject_pii(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.reject_pii() FROM PUBLIC;

--
-- Name: FUNCTION replay_dead_event(dead_event_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.replay_dead_event(dead_event_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer) FROM PUBLIC;

--
-- Name: FUNCTION request_matview_refreshes(cadence text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_matview_refreshes(cadence text) FROM PUBLIC;

--
-- Name: FUNCTION request_matview_refreshes_reading(changed regclass, cadence text, due timestamp with time zone); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_matview_refreshes_reading(changed regclass, cadence text, due timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION request_reconciliation(window_start timestamp with time zone, window_end timestamp with time zone); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.request_reconciliation(window_start timestamp with time zone, window_end timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION required(doc jsonb, VARIADIC path text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.required(doc jsonb, VARIADIC path text[]) FROM PUBLIC;

--
-- Name: FUNCTION resolve_tenant(api_key text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.resolve_tenant(api_key text) FROM PUBLIC;

--
-- Name: FUNCTION resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb) FROM PUBLIC;

--
-- Name: FUNCTION rewrite_function(f regprocedure, old text, new text, expected integer); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.rewrite_function(f regprocedure, old text, new text, expected integer) FROM PUBLIC;

--
-- Name: FUNCTION rsa_sha256_valid(message bytea, signature bytea, modulus numeric, exponent numeric); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.rsa_sha256_valid(message bytea, signature bytea, modulus numeric, exponent numeric) FROM PUBLIC;

--
-- Name: FUNCTION run_job_body(job_id bigint, body regproc, args jsonb, tenant uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.run_job_body(job_id bigint, body regproc, args jsonb, tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION scan_pii_at_rest(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.scan_pii_at_rest() FROM PUBLIC;

--
-- Name: FUNCTION set_local(setting text, value text, for_the_transaction boolean); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.set_local(setting text, value text, for_the_transaction boolean) FROM PUBLIC;

--
-- Name: FUNCTION set_tenant_context(tenant text, for_the_transaction boolean); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.set_tenant_context(tenant text, for_the_transaction boolean) FROM PUBLIC;

--
-- Name: FUNCTION settle_attempt(job_id bigint, error_class text, error_message text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.settle_attempt(job_id bigint, error_class text, error_message text) FROM PUBLIC;

--
-- Name: FUNCTION settle_failure(job_id bigint, error_class text, error_message text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.settle_failure(job_id bigint, error_class text, error_message text) FROM PUBLIC;

--
-- Name: FUNCTION signature_valid(vendor skeldir.vendor, headers jsonb, body bytea); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.signature_valid(vendor skeldir.vendor, headers jsonb, body bytea) FROM PUBLIC;

--
-- Name: FUNCTION start_budget_optimization(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.start_budget_optimization(total_budget numeric, optimization_goal text, constraints jsonb, options jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION start_explanation(entity_type text, entity_id text, options jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.start_explanation(entity_type text, entity_id text, options jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION start_investigation(question text, context jsonb, request_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.start_investigation(question text, context jsonb, request_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION system_tenant(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.system_tenant() FROM PUBLIC;

--
-- Name: FUNCTION take_turns(VARIADIC keys text[]); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.take_turns(VARIADIC keys text[]) FROM PUBLIC;

--
-- Name: FUNCTION tenant_ids(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.tenant_ids() FROM PUBLIC;

--
-- Name: FUNCTION tenant_tables(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.tenant_tables() FROM PUBLIC;

--
-- Name: FUNCTION to_base64url(data bytea); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.to_base64url(data bytea) FROM PUBLIC;

--
-- Name: FUNCTION to_minor_units(amount jsonb, currency text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.to_minor_units(amount jsonb, currency text) FROM PUBLIC;

--
-- Name: FUNCTION token_header(kid text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.token_header(kid text) FROM PUBLIC;

--
-- Name: FUNCTION touch_key(event_type skeldir.event_type, order_id text, event_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.touch_key(event_type skeldir.event_type, order_id text, event_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION try_take_turn(key text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.try_take_turn(key text) FROM PUBLIC;

--
-- Name: FUNCTION unpin_paypal_certificate(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.unpin_paypal_certificate() FROM PUBLIC;

--
-- Name: FUNCTION unsigned_number(data bytea); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.unsigned_number(data bytea) FROM PUBLIC;

--
-- Name: FUNCTION unusable(error_type text, message text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.unusable(error_type text, message text) FROM PUBLIC;

--
-- Name: FUNCTION url_param(url text, name text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.url_param(url text, name text) FROM PUBLIC;

--
-- Name: COLUMN users.tenant_id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(tenant_id) ON TABLE skeldir.users TO skeldir_readonly;

--
-- Name: COLUMN users.id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(id) ON TABLE skeldir.users TO skeldir_readonly;

--
-- Name: COLUMN users.created_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(created_at) ON TABLE skeldir.users TO skeldir_readonly;

--
-- Name: COLUMN users.disabled_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(disabled_at) ON TABLE skeldir.users TO skeldir_readonly;

--
-- Name: FUNCTION user_by_email(email text); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.user_by_email(email text) FROM PUBLIC;

--
-- Name: FUNCTION utc_time(value jsonb); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.utc_time(value jsonb) FROM PUBLIC;

--
-- Name: FUNCTION valid_day_range(from_day date, to_day date); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.valid_day_range(from_day date, to_day date) FROM PUBLIC;

--
-- Name: FUNCTION webhook_token(token_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.webhook_token(token_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION webhook_url(vendor skeldir.vendor, token_id uuid); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.webhook_url(vendor skeldir.vendor, token_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION webhook_urls(); Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION skeldir.webhook_urls() FROM PUBLIC;

--
-- Name: FUNCTION attribution_recompute(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION beat(worker_id text, ttl interval); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.beat(worker_id text, ttl interval) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.beat(worker_id text, ttl interval) TO skeldir_worker;

--
-- Name: FUNCTION change_feed_apply(leader text, changes jsonb); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.change_feed_apply(leader text, changes jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.change_feed_apply(leader text, changes jsonb) TO skeldir_worker;

--
-- Name: FUNCTION change_feed_fallback(); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.change_feed_fallback() FROM PUBLIC;
GRANT ALL ON FUNCTION worker.change_feed_fallback() TO skeldir_worker;

--
-- Name: FUNCTION change_feed_heartbeat(leader text, lag_seconds double precision); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.change_feed_heartbeat(leader text, lag_seconds double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.change_feed_heartbeat(leader text, lag_seconds double precision) TO skeldir_worker;

--
-- Name: FUNCTION change_feed_mode(); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.change_feed_mode() FROM PUBLIC;
GRANT ALL ON FUNCTION worker.change_feed_mode() TO skeldir_worker;

--
-- Name: FUNCTION change_feed_start(leader text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.change_feed_start(leader text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.change_feed_start(leader text) TO skeldir_worker;

--
-- Name: FUNCTION claim(queue text, max_jobs integer, worker_id text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.claim(queue text, max_jobs integer, worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.claim(queue text, max_jobs integer, worker_id text) TO skeldir_worker;

--
-- Name: FUNCTION elect(name text, leader_id text, ttl interval); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.elect(name text, leader_id text, ttl interval) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.elect(name text, leader_id text, ttl interval) TO skeldir_worker;

--
-- Name: FUNCTION enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.enqueue(kind text, args jsonb, tenant uuid, run_at timestamp with time zone, dedupe_key text) TO skeldir_worker;

--
-- Name: FUNCTION enqueue_due_schedules(); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.enqueue_due_schedules() FROM PUBLIC;
GRANT ALL ON FUNCTION worker.enqueue_due_schedules() TO skeldir_worker;

--
-- Name: FUNCTION execute(job_id bigint, worker_id text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.execute(job_id bigint, worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.execute(job_id bigint, worker_id text) TO skeldir_worker;

--
-- Name: FUNCTION fail(job_id bigint, worker_id text, error_class text, error_message text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.fail(job_id bigint, worker_id text, error_class text, error_message text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.fail(job_id bigint, worker_id text, error_class text, error_message text) TO skeldir_worker;

--
-- Name: FUNCTION fault_crash_after_write(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.fault_crash_after_write(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.fault_crash_after_write(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION fault_poison_pill(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.fault_poison_pill(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.fault_poison_pill(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION fault_runaway(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.fault_runaway(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.fault_runaway(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION health_probe(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.health_probe(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.health_probe(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION housekeeping_ping(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.housekeeping_ping(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.housekeeping_ping(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION llm_budget_optimization(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.llm_budget_optimization(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION llm_explanation(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.llm_explanation(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.llm_explanation(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION llm_investigation(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.llm_investigation(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.llm_investigation(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION matview_pulse(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.matview_pulse(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.matview_pulse(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION matview_refresh(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.matview_refresh(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.matview_refresh(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION matview_refresh_all(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.matview_refresh_all(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.matview_refresh_all(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION matview_refresh_stats(); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.matview_refresh_stats() FROM PUBLIC;
GRANT ALL ON FUNCTION worker.matview_refresh_stats() TO skeldir_worker;

--
-- Name: FUNCTION next_due(queue text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.next_due(queue text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.next_due(queue text) TO skeldir_worker;

--
-- Name: FUNCTION pii_scan(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.pii_scan(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.pii_scan(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION prune_jobs(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.prune_jobs(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.prune_jobs(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION reap_leases(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.reap_leases(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.reap_leases(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION reconciliation_run(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.reconciliation_run(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.reconciliation_run(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION resign(name text, leader_id text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.resign(name text, leader_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.resign(name text, leader_id text) TO skeldir_worker;

--
-- Name: FUNCTION retention(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.retention(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.retention(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION revenue_realtime(args jsonb, job_id bigint); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.revenue_realtime(args jsonb, job_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.revenue_realtime(args jsonb, job_id bigint) TO skeldir_worker;

--
-- Name: FUNCTION work(queue text, max_jobs integer, worker_id text); Type: ACL; Schema: worker; Owner: skeldir_owner
--

REVOKE ALL ON FUNCTION worker.work(queue text, max_jobs integer, worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION worker.work(queue text, max_jobs integer, worker_id text) TO skeldir_worker;

--
-- Name: TABLE attribution_credits; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.attribution_credits TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.attribution_credits TO skeldir_analytics;

--
-- Name: TABLE attribution_allocations; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.attribution_allocations TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.attribution_allocations TO skeldir_analytics;

--
-- Name: TABLE revenue_ledger; Type: ACL; Schema: skeldir; Owner: skeldir_books
--

GRANT SELECT ON TABLE skeldir.revenue_ledger TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.revenue_ledger TO skeldir_analytics;
GRANT SELECT,INSERT ON TABLE skeldir.revenue_ledger TO skeldir_owner;

--
-- Name: TABLE revenue_of_record; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.revenue_of_record TO skeldir_analytics;
GRANT SELECT ON TABLE skeldir.revenue_of_record TO skeldir_readonly;

--
-- Name: TABLE ad_spend; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.ad_spend TO skeldir_readonly;

--
-- Name: TABLE attribution_credit_history; Type: ACL; Schema: skeldir; Owner: skeldir_books
--

GRANT SELECT ON TABLE skeldir.attribution_credit_history TO skeldir_readonly;
GRANT SELECT,INSERT ON TABLE skeldir.attribution_credit_history TO skeldir_owner;

--
-- Name: TABLE attribution_events; Type: ACL; Schema: skeldir; Owner: skeldir_books
--

GRANT SELECT ON TABLE skeldir.attribution_events TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.attribution_events TO skeldir_analytics;
GRANT SELECT,INSERT ON TABLE skeldir.attribution_events TO skeldir_owner;

--
-- Name: TABLE budget_optimization_jobs; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.budget_optimization_jobs TO skeldir_readonly;

--
-- Name: TABLE channel_rules; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.channel_rules TO skeldir_readonly;

--
-- Name: TABLE channel_taxonomy; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.channel_taxonomy TO skeldir_readonly;
GRANT SELECT ON TABLE skeldir.channel_taxonomy TO skeldir_analytics;

--
-- Name: TABLE currencies; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.currencies TO skeldir_readonly;

--
-- Name: TABLE dead_events; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.dead_events TO skeldir_readonly;

--
-- Name: TABLE explanation_cache; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.explanation_cache TO skeldir_readonly;

--
-- Name: TABLE investigations; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.investigations TO skeldir_readonly;

--
-- Name: TABLE llm_budget_caps; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.llm_budget_caps TO skeldir_readonly;

--
-- Name: TABLE llm_monthly_costs; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.llm_monthly_costs TO skeldir_readonly;

--
-- Name: TABLE pii_scan_findings; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.pii_scan_findings TO skeldir_readonly;

--
-- Name: TABLE realtime_revenue; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.realtime_revenue TO skeldir_readonly;

--
-- Name: TABLE reconciliation_results; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.reconciliation_results TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.tenant_id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(tenant_id) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(id) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.family_id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(family_id) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.user_id; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(user_id) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.created_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(created_at) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.expires_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(expires_at) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.rotated_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(rotated_at) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.revoked_at; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(revoked_at) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: COLUMN refresh_tokens.revoke_reason; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT(revoke_reason) ON TABLE skeldir.refresh_tokens TO skeldir_readonly;

--
-- Name: TABLE worker_failed_jobs; Type: ACL; Schema: skeldir; Owner: skeldir_owner
--

GRANT SELECT ON TABLE skeldir.worker_failed_jobs TO skeldir_readonly;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: admin; Owner: skeldir_owner
--

ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA admin GRANT ALL ON FUNCTIONS  TO skeldir_admin;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: api; Owner: skeldir_owner
--

ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA api GRANT ALL ON FUNCTIONS  TO skeldir_api;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: worker; Owner: skeldir_owner
--

ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA worker GRANT ALL ON FUNCTIONS  TO skeldir_worker;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: -; Owner: skeldir_owner
--

ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner REVOKE ALL ON FUNCTIONS  FROM PUBLIC;

--
-- PostgreSQL database dump complete
--

