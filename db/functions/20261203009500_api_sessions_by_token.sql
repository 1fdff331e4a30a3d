-- migrate:up
-- Sessions by token. Login and refresh answer the access token too, minted
-- here (skeldir.issue_access_token) for the session they start or continue;
-- the daemon no longer holds a signing key. Logout and verify take the
-- presented access token instead of a tenant and a user id, so the API role
-- cannot name whose session to read or end: skeldir.enter_session derives
-- both from the token, and refuses (PT401) a token that is forged, expired,
-- retired with its key, or of an ended session.
SET LOCAL ROLE skeldir_owner;

DROP FUNCTION api.login(text, text, inet, interval, interval, integer, integer);
DROP FUNCTION api.refresh_session(text, interval);
DROP FUNCTION api.logout(uuid, uuid, text);
DROP FUNCTION api.verify_session(uuid, uuid);

CREATE FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval,
                          access_ttl interval, throttle_window interval, max_failures_per_ip integer,
                          max_failures_per_email integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
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
  PERFORM set_config('app.current_tenant_id', '', true);

  PERFORM pg_advisory_xact_lock(hashtextextended('skeldir.login/' || encode(ip_subject, 'hex'), 0));
  PERFORM pg_advisory_xact_lock(hashtextextended('skeldir.login/' || encode(email_subject, 'hex'), 0));
  asof := clock_timestamp();
  DELETE FROM skeldir.login_failures AS f WHERE f.failed_at <= asof - throttle_window;

  wait := greatest(skeldir.login_retry_after(ip_subject, max_failures_per_ip, throttle_window, asof),
                   skeldir.login_retry_after(email_subject, max_failures_per_email, throttle_window, asof));
  IF wait IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'rate_limited', 'retry_after', wait);
  END IF;

  PERFORM set_config('app.presented_login_email', normalized, true);
  SELECT u.* INTO found FROM skeldir.users AS u WHERE u.email = normalized ORDER BY u.created_at LIMIT 1;
  PERFORM set_config('app.presented_login_email', '', true);

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
  PERFORM set_config('app.current_tenant_id', found.tenant_id::text, true);
  issued := skeldir.issue_refresh_token(found.id, session, refresh_ttl)
            || skeldir.issue_access_token(found.tenant_id, found.id, session, access_ttl);
  RETURN jsonb_build_object('outcome', 'ok', 'user_id', found.id, 'tenant_id', found.tenant_id,
                            'email', found.email) || issued;
END
$$;
COMMENT ON FUNCTION api.login(text, text, inet, interval, interval, interval, integer, integer) IS
  'Checks email and password under per-address and per-email failure limits; on success starts a session: a refresh-token family and an access token.';


CREATE FUNCTION api.refresh_session(refresh_token text, refresh_ttl interval, access_ttl interval) RETURNS jsonb
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
         || skeldir.issue_refresh_token(owner.id, presented.family_id, refresh_ttl)
         || skeldir.issue_access_token(owner.tenant_id, owner.id, presented.family_id, access_ttl);
END
$$;
COMMENT ON FUNCTION api.refresh_session(text, interval, interval) IS
  'Rotates a refresh token and issues an access token of its session; a rotated token presented again revokes its whole family.';


-- POST /api/auth/logout. With a refresh token of this user, that session
-- (its whole family) ends; without one (the contract's logout has no body)
-- every session of the user ends. A refresh token that is not this user's is
-- refused with the field named, so a client never believes it logged out
-- when it did not. The presented access token stops working at once.
CREATE FUNCTION api.logout(access_token text, refresh_token text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION api.logout(text, text) IS
  'Ends the presenting user''s session named by a refresh token, or all of the user''s sessions.';

-- GET /api/auth/verify: who a presented access token is, and until when.
CREATE FUNCTION api.verify_session(access_token text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  presenter record := skeldir.enter_session(access_token);
BEGIN
  RETURN (SELECT jsonb_build_object('user_id', u.id, 'tenant_id', u.tenant_id, 'email', u.email,
                                    'expires_at', presenter.expires_at)
            FROM skeldir.users AS u WHERE u.id = presenter.user_id);
END
$$;
COMMENT ON FUNCTION api.verify_session(text) IS
  'The user of a valid access token and when the token expires; PT401 for any other token.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.verify_session(text);
DROP FUNCTION api.logout(text, text);
DROP FUNCTION api.refresh_session(text, interval, interval);
DROP FUNCTION api.login(text, text, inet, interval, interval, interval, integer, integer);
