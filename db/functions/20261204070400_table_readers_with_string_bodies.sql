-- migrate:up
-- The functions whose SQL reads a tenant table or a table a tenant table
-- references get string bodies in place of
-- SQL-standard ones (BEGIN ATOMIC or RETURN), with the same attributes and
-- statements (issue 16; the same step as 20261204070300 for the functions
-- that policies and defaults call).
--
-- An SQL-standard body records in pg_depend every table it reads, and
-- Citus counts what depends on a table among that table's dependencies:
-- it distributes a table only with everything the functions reading it
-- depend on in turn. make test-citus (SKELDIR_CITUS_DISTRIBUTE=late, all
-- 285 migrations) refused skeldir.tenants ("circularly depends itself":
-- audit_privileges reads it and calls tenant_tables, which reads it), and
-- with it every tenant table; reconciliation_platforms through
-- reconciliation_rows and analytics.mv_reconciliation_status; and
-- investigations and budget_optimization_jobs through the functions that
-- read them and the queue's tables those read. A string body is parsed when
-- it runs and records nothing. tests/sql/rls.sql holds the rule for
-- functions to come. Each body is that of the migration named above it;
-- channel_performance_for's (renamed and moved by 20261203009600) is the
-- catalog's definition written out again.
SET LOCAL ROLE skeldir_owner;

-- (body of 20261126001700)
CREATE OR REPLACE FUNCTION skeldir.tenant_tables() RETURNS SETOF regclass
LANGUAGE sql STABLE
AS $$
  SELECT c.oid::regclass
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p')
     AND (c.oid = 'skeldir.tenants'::regclass
          OR EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
   ORDER BY c.relname;
$$;

-- (body of 20261126003000)
CREATE OR REPLACE FUNCTION skeldir.major_units(minor numeric, currency text) RETURNS numeric
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT round(minor / power(10::numeric, c.exponent), c.exponent)
          FROM skeldir.currencies AS c WHERE c.code = currency)
$$;

-- (body of 20261126007290)
CREATE OR REPLACE FUNCTION skeldir.budget_recommendation(budget_optimization_id uuid) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT (
  SELECT skeldir.jsonb_without_null_keys(jsonb_build_object(
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
           'error', s.error))
    FROM skeldir.budget_optimization_jobs AS b
   CROSS JOIN LATERAL skeldir.llm_job_standing(b.status, b.error, b.job_id, b.tenant_id) AS s
   WHERE b.tenant_id = (SELECT skeldir.current_tenant_id()) AND b.id = budget_optimization_id)
$$;

-- (body of 20261126007280)
CREATE OR REPLACE FUNCTION skeldir.investigation_status(investigation_id uuid) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT (
  SELECT skeldir.jsonb_without_null_keys(jsonb_build_object(
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
           'error', s.error))
    FROM skeldir.investigations AS i
   CROSS JOIN LATERAL skeldir.llm_job_standing(i.status, i.error, i.job_id, i.tenant_id) AS s
   WHERE i.tenant_id = (SELECT skeldir.current_tenant_id()) AND i.id = investigation_id)
$$;

-- (body of 20261126007220)
CREATE OR REPLACE FUNCTION skeldir.llm_call_result(c skeldir.llm_api_calls) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_object(
  'request_id', c.request_id, 'feature', c.feature, 'decision', c.decision, 'reason', c.reason,
  'model', c.model, 'provider', c.provider, 'prompt_tokens', c.prompt_tokens,
  'completion_tokens', c.completion_tokens, 'cost_micros', c.cost_micros,
  'cost_usd', round(c.cost_micros / 1000000.0, 6), 'created_at', c.created_at, 'response', c.response)
$$;

-- (body of 20261126007270)
CREATE OR REPLACE FUNCTION skeldir.llm_tenant_model() RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT coalesce(b.model, s.default_model)
          FROM skeldir.llm_settings AS s
          LEFT JOIN skeldir.llm_budget_caps AS b ON b.tenant_id = (SELECT skeldir.current_tenant_id()))
$$;

-- (body of 20261204010900)
CREATE OR REPLACE FUNCTION skeldir.reconciliation_platform_json(s analytics.mv_reconciliation_status) RETURNS jsonb
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

-- (body of 20261202001400)
CREATE OR REPLACE FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text,
                                                     error_type text, error_message text, payload jsonb,
                                                     pii_paths text[], body bytea, correlation_id uuid)
RETURNS uuid
LANGUAGE sql VOLATILE
AS $$
  INSERT INTO skeldir.dead_events AS x
    (tenant_id, vendor, topic, idempotency_header, error_type, error_message, payload, pii_paths,
     body_sha256, body_bytes, correlation_id)
  VALUES
    (skeldir.current_tenant_id(), vendor, left(skeldir.redact_pii(topic), 255),
     CASE WHEN NOT skeldir.pii_value(idempotency_header) THEN left(idempotency_header, 255) END, error_type,
     left(skeldir.redact_pii(error_message), 1000), payload, coalesce(pii_paths, '{}'), sha256(body), length(body),
     correlation_id)
  ON CONFLICT (tenant_id, vendor, body_sha256) WHERE status IN ('pending', 'in_progress')
  DO UPDATE SET occurrences = x.occurrences + 1, last_seen_at = now()
  RETURNING x.id;
$$;

-- (body of 20261126009135)
CREATE OR REPLACE FUNCTION skeldir.end_sessions(user_id uuid, reason text) RETURNS integer
LANGUAGE sql VOLATILE
AS $$
  WITH revoked AS (
    UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = end_sessions.reason
     WHERE t.user_id = end_sessions.user_id AND t.revoked_at IS NULL AND t.rotated_at IS NULL
    RETURNING 1)
  SELECT count(*)::integer FROM revoked;
$$;

-- (body of 20261126004100)
CREATE OR REPLACE FUNCTION skeldir.unpin_paypal_certificate() RETURNS bigint
LANGUAGE sql VOLATILE
AS $$
  WITH unpinned AS (
    UPDATE skeldir.tenant_paypal_certificates AS c SET revoked_at = now() WHERE c.revoked_at IS NULL RETURNING 1
  )
  SELECT count(*) FROM unpinned;
$$;

-- (body of 20261202002200)
CREATE OR REPLACE FUNCTION skeldir.reconciliation_rows(tenant uuid) RETURNS SETOF analytics.mv_reconciliation_status
LANGUAGE sql STABLE
AS $$
  SELECT s.* FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant
  UNION ALL
  SELECT tenant, p.platform, p.side, p.display_name, 'pending'::skeldir.reconciliation_status, 0, 0, 0, 0, 0,
         '{}'::jsonb, NULL::timestamptz, NULL::text, NULL::uuid
    FROM skeldir.reconciliation_platforms AS p
   WHERE NOT EXISTS (SELECT FROM analytics.mv_reconciliation_status AS s WHERE s.tenant_id = tenant);
$$;

-- (body of 20261203010400)
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
         AND pg_get_expr(p.polqual, p.polrelid) = format('(%s = ( SELECT skeldir.current_tenant_id() AS current_tenant_id))', t.key_column)
         AND pg_get_expr(p.polwithcheck, p.polrelid) = format('(%s = ( SELECT skeldir.current_tenant_id() AS current_tenant_id))', t.key_column)
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

-- (body of 20261203010400)
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
             = format('(%s = ( SELECT skeldir.analyst_tenant() AS analyst_tenant))',
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

-- (from the catalog: pg_get_functiondef, written out)
CREATE OR REPLACE FUNCTION skeldir.channel_performance_for(tenant uuid, from_day date, to_day date)
RETURNS TABLE (channel text, display_name text, report_name text, family text, is_paid boolean, currency text,
               touched_purchases bigint, conversions bigint, last_touch_cents bigint, first_touch_cents bigint,
               linear_cents bigint, time_decay_cents bigint, position_based_cents bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
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

-- migrate:down
-- (Forward only, README "Migrations": these functions keep these bodies.)
SELECT 1;
