-- migrate:up
-- Operators reset a user's password and disable or enable a user
-- (skeldird user set-password|disable|enable). A new password or a disabled
-- user ends every session the user had: their refresh tokens are revoked, and
-- access tokens already issued lapse within their lifetime (verify and
-- refresh check the user at once).
SET LOCAL ROLE skeldir_owner;

-- The user of a tenant with this email, locked; refused when there is none.
CREATE FUNCTION skeldir.user_by_email(email text) RETURNS skeldir.users
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  match skeldir.users;
BEGIN
  SELECT * INTO match FROM skeldir.users AS u WHERE u.email = skeldir.normalize_email(user_by_email.email) FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no user % in this tenant', skeldir.normalize_email(email)
      USING ERRCODE = 'no_data_found', COLUMN = 'email';
  END IF;
  RETURN match;
END
$$;

CREATE FUNCTION skeldir.end_sessions(user_id uuid, reason text) RETURNS integer
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  WITH revoked AS (
    UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = end_sessions.reason
     WHERE t.user_id = end_sessions.user_id AND t.revoked_at IS NULL AND t.rotated_at IS NULL
    RETURNING 1)
  SELECT count(*)::integer FROM revoked;
END;

CREATE FUNCTION admin.set_user_password(tenant_id uuid, email text, password text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION admin.set_user_password(uuid, text, text) IS
  'Sets a user''s password (bcrypt) and ends every session the user had.';

CREATE FUNCTION admin.set_user_enabled(tenant_id uuid, email text, enabled boolean) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  u skeldir.users;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  u := skeldir.user_by_email(email);
  UPDATE skeldir.users AS x
     SET disabled_at = CASE WHEN enabled THEN NULL ELSE coalesce(x.disabled_at, now()) END
   WHERE x.tenant_id = u.tenant_id AND x.id = u.id;
  RETURN jsonb_build_object('user_id', u.id, 'email', u.email, 'enabled', enabled,
                            'revoked_sessions', CASE WHEN enabled THEN 0
                                                     ELSE skeldir.end_sessions(u.id, 'user_disabled') END);
END
$$;
COMMENT ON FUNCTION admin.set_user_enabled(uuid, text, boolean) IS
  'Disables a user (ending every session) or enables one again.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.set_user_enabled(uuid, text, boolean);
DROP FUNCTION admin.set_user_password(uuid, text, text);
DROP FUNCTION skeldir.end_sessions(uuid, text);
DROP FUNCTION skeldir.user_by_email(text);
