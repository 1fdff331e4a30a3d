-- migrate:up
-- POST /api/auth/refresh: exchanges a refresh token for the next one of its
-- family (rotation). Outcomes the daemon turns into answers:
--   ok       user, tenant and the new refresh token; the presented one is
--            spent
--   invalid  401: unknown, expired or revoked token, or a disabled user
--   reused   401: the token was already rotated, so someone holds a copy;
--            every token of its family is revoked, and that is committed
--            (an outcome, not an exception, for that reason)
-- Two refreshes of one token take turns on its row: the second sees it
-- rotated and counts as reuse.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  digest bytea := skeldir.refresh_token_digest(refresh_token);
  tenant uuid;
  presented skeldir.refresh_tokens;
  owner skeldir.users;
BEGIN
  PERFORM set_config('app.current_tenant_id', '', true);
  IF coalesce(refresh_token, '') = '' THEN
    RAISE EXCEPTION 'refresh_token is required' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'refresh_token';
  END IF;

  PERFORM set_config('app.presented_refresh_token_hash', encode(digest, 'hex'), true);
  SELECT t.tenant_id INTO tenant FROM skeldir.refresh_tokens AS t WHERE t.token_hash = digest;
  PERFORM set_config('app.presented_refresh_token_hash', '', true);
  IF tenant IS NULL THEN
    RETURN jsonb_build_object('outcome', 'invalid');
  END IF;

  PERFORM set_config('app.current_tenant_id', tenant::text, true);
  SELECT t.* INTO presented FROM skeldir.refresh_tokens AS t WHERE t.token_hash = digest FOR UPDATE;
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
         || skeldir.issue_refresh_token(owner.id, presented.family_id, refresh_ttl);
END
$$;
COMMENT ON FUNCTION api.refresh_session(text, interval) IS
  'Rotates a refresh token; a rotated token presented again revokes its whole family.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.refresh_session(text, interval);
