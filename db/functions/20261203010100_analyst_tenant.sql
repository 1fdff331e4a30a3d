-- migrate:up
-- The tenant bound to the session's login, for the analyst_binding policies;
-- NULL (nothing visible) for a login bound to none. It keys on session_user,
-- the login that authenticated, which SET ROLE cannot change, so an analyst
-- cannot borrow another binding. A definer (the bindings are the owner's),
-- granted to the analysts, whose policies call it.
--
-- Operators bind a login with admin.grant_analyst (skeldird analyst grant
-- --tenant ID --login ROLE); the login must already exist, log in, and be a
-- member of skeldir_readonly. admin.revoke_analyst unbinds it; its next
-- query sees nothing.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.analyst_tenant() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT a.tenant FROM skeldir.analyst_logins AS a WHERE a.login = session_user;
END;
REVOKE EXECUTE ON FUNCTION skeldir.analyst_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION skeldir.analyst_tenant() TO skeldir_readonly;

CREATE FUNCTION admin.grant_analyst(tenant_id uuid, login name) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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

CREATE FUNCTION admin.revoke_analyst(login name) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH gone AS (DELETE FROM skeldir.analyst_logins AS a WHERE a.login = revoke_analyst.login RETURNING a.tenant)
  SELECT jsonb_build_object('login', revoke_analyst.login, 'revoked', count(*) > 0) FROM gone;
END;

CREATE FUNCTION admin.list_analysts() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT jsonb_build_object('analysts', coalesce(jsonb_agg(jsonb_build_object(
           'login', a.login, 'tenant_id', a.tenant, 'granted_at', a.granted_at) ORDER BY a.login), '[]'))
    FROM skeldir.analyst_logins AS a;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.list_analysts();
DROP FUNCTION admin.revoke_analyst(name);
DROP FUNCTION admin.grant_analyst(uuid, name);
DROP FUNCTION skeldir.analyst_tenant();
