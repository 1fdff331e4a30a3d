-- migrate:up
-- The functions that tables call in their policies and defaults get string
-- bodies in place of SQL-standard ones (RETURN ... or BEGIN ATOMIC), with
-- the same attributes and answers (issue 16).
--
-- An SQL-standard body is parsed when the function is created and records
-- what it reads in pg_depend, so a table whose policy calls it depends on
-- those tables too. Citus distributes a table with everything it depends on
-- and refuses what it cannot (make test-citus, SKELDIR_CITUS_DISTRIBUTE=late,
-- on all 284 migrations): every tenant table "has dependency to table
-- skeldir.analyst_logins that is not in Citus' metadata" through its
-- analyst_binding policy and skeldir.analyst_tenant(), and skeldir.tenants
-- "circularly depends itself" (its policy, analyst_tenant(), analyst_logins,
-- whose key references tenants). Citus' workers also fail to run an
-- SQL-standard body that the coordinator sends them. A string body is
-- parsed when it runs, with these functions' fully qualified names, and
-- records no dependency; the SQL-language ones without SET are inlined into
-- their callers as before.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.current_tenant_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN current_setting('app.current_tenant_id', true)
                   ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
              THEN current_setting('app.current_tenant_id', true)::uuid END
$$;

CREATE OR REPLACE FUNCTION skeldir.system_tenant() RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;

CREATE OR REPLACE FUNCTION skeldir.presented_key_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN current_setting('app.presented_key_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_key_hash', true), 'hex') END
$$;

CREATE OR REPLACE FUNCTION skeldir.presented_login_email() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('app.presented_login_email', true), '') $$;

CREATE OR REPLACE FUNCTION skeldir.presented_refresh_token_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN current_setting('app.presented_refresh_token_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_refresh_token_hash', true), 'hex') END
$$;

CREATE OR REPLACE FUNCTION skeldir.presented_webhook_token_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN current_setting('app.presented_webhook_token_hash', true) ~ '^[0-9a-f]{64}$'
              THEN decode(current_setting('app.presented_webhook_token_hash', true), 'hex') END
$$;

CREATE OR REPLACE FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor,
                                                            order_id text)
RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT skeldir.uuid_v5(skeldir.namespace_url(),
                         'urn:skeldir:reconciliation-result:' || tenant_id || ':' || run_id || ':' || shop_platform
                           || ':' || order_id)
$$;

CREATE OR REPLACE FUNCTION skeldir.analyst_tenant() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT a.tenant FROM skeldir.analyst_logins AS a WHERE a.login = session_user $$;

-- migrate:down
-- (Forward only, README "Migrations": these functions keep these bodies.)
SELECT 1;
