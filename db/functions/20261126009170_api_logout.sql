-- migrate:up
-- POST /api/auth/logout, for the user of a verified access token. With a
-- refresh token, that session (its whole family) ends; without one (the
-- contract's logout has no body) every session of the user ends, since an
-- access token does not say which session issued it. A refresh token that is
-- not this user's is refused with the field named, so a client never believes
-- it logged out when it did not. Logging out twice is harmless.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.logout(tenant_id uuid, user_id uuid, refresh_token text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  family uuid;
  revoked bigint;
BEGIN
  PERFORM set_config('app.current_tenant_id', coalesce(tenant_id::text, ''), true);
  IF refresh_token IS NOT NULL THEN
    SELECT t.family_id INTO family FROM skeldir.refresh_tokens AS t
     WHERE t.token_hash = skeldir.refresh_token_digest(refresh_token) AND t.user_id = logout.user_id;
    IF family IS NULL THEN
      RAISE EXCEPTION 'refresh_token is not a refresh token of this user'
        USING ERRCODE = 'invalid_parameter_value', COLUMN = 'refresh_token';
    END IF;
  END IF;
  UPDATE skeldir.refresh_tokens AS t SET revoked_at = now(), revoke_reason = 'logout'
   WHERE t.user_id = logout.user_id AND t.revoked_at IS NULL
     AND (family IS NULL OR t.family_id = family);
  GET DIAGNOSTICS revoked = ROW_COUNT;
  RETURN jsonb_build_object('revoked_tokens', revoked);
END
$$;
COMMENT ON FUNCTION api.logout(uuid, uuid, text) IS
  'Revokes one session''s refresh tokens (given one of them) or all of the user''s.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.logout(uuid, uuid, text);
