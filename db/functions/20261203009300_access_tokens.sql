-- migrate:up
-- Dashboard access tokens, minted and verified here: compact JWTs (RFC 7519)
-- signed with HMAC-SHA256 under a key of skeldir.token_keys, which the JWT
-- header names (kid). The claims are the user (sub), the tenant (tid), the
-- session (sid: the refresh-token family the login started), and the issue
-- and expiry times (iat, exp, in seconds).
--
-- skeldir.enter_session is the one door of every dashboard call: it checks a
-- presented token and enters its tenant, or raises SQLSTATE PT401 (the
-- daemon's 401; PostgREST spells HTTP statuses PTxxx the same way) in words
-- meant for the client. Its checks, in order:
--   the header is exactly the one a key of ours writes (alg HS256, its kid),
--     so "alg":"none" and algorithm confusion never reach a signature check;
--   the signature, under that key, which must not be retired;
--   only then the payload: well formed, not expired;
--   the user exists under the token's tenant and is enabled, and the session
--     still has its current refresh token (neither rotated nor revoked,
--     whether or not it has expired): a logout, a reused
--     refresh token or a disabled user ends the access token at once, not
--     when it expires.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.token_header(kid text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN skeldir.to_base64url(convert_to(format('{"alg":"HS256","typ":"JWT","kid":"%s"}', kid), 'UTF8'));

-- The key that signs new tokens: the newest that is not retired.
CREATE FUNCTION skeldir.signing_token_key() RETURNS skeldir.token_keys
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT k.* FROM skeldir.token_keys AS k WHERE k.retired_at IS NULL ORDER BY k.created_at DESC, k.kid LIMIT 1;
END;

CREATE FUNCTION skeldir.issue_access_token(tenant_id uuid, user_id uuid, session_id uuid, ttl interval)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
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

CREATE FUNCTION skeldir.enter_session(access_token text,
                                      OUT tenant_id uuid, OUT user_id uuid, OUT session_id uuid,
                                      OUT expires_at timestamptz)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  part text[] := string_to_array(coalesce(access_token, ''), '.');
  secret bytea;
  claims jsonb;
BEGIN
  PERFORM set_config('app.current_tenant_id', '', true);
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

  PERFORM set_config('app.current_tenant_id', tenant_id::text, true);
  IF NOT EXISTS (SELECT FROM skeldir.users AS u
                  WHERE u.id = enter_session.user_id AND u.disabled_at IS NULL)
     OR NOT EXISTS (SELECT FROM skeldir.refresh_tokens AS t
                     WHERE t.tenant_id = enter_session.tenant_id AND t.family_id = session_id
                       AND t.user_id = enter_session.user_id
                       AND t.rotated_at IS NULL AND t.revoked_at IS NULL) THEN
    PERFORM set_config('app.current_tenant_id', '', true);
    RAISE EXCEPTION 'the session has ended (logged out, or the user was disabled); log in again'
      USING ERRCODE = 'PT401';
  END IF;
END
$$;

-- The tenant of a presented access token, entered: the first argument of
-- every dashboard function's tenant-scoped body.
CREATE FUNCTION skeldir.session_tenant(access_token text) RETURNS uuid
LANGUAGE sql VOLATILE
RETURN (skeldir.enter_session(access_token)).tenant_id;

COMMENT ON FUNCTION skeldir.enter_session(text) IS
  'Verifies a dashboard access token (signature, expiry, live session, enabled user) and enters its tenant; raises PT401 otherwise.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.session_tenant(text);
DROP FUNCTION skeldir.enter_session(text);
DROP FUNCTION skeldir.issue_access_token(uuid, uuid, uuid, interval);
DROP FUNCTION skeldir.signing_token_key();
DROP FUNCTION skeldir.token_header(text);
