-- migrate:up
-- A refresh token for a user of the current tenant: 32 random bytes from
-- pgcrypto's CSPRNG, returned once; only the digest is stored. A new family
-- starts at login; refreshes continue the family of the token they rotate.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.refresh_token_digest(token text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to(coalesce(token, ''), 'UTF8'));

CREATE FUNCTION skeldir.issue_refresh_token(user_id uuid, family_id uuid, ttl interval)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
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

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.issue_refresh_token(uuid, uuid, interval);
DROP FUNCTION skeldir.refresh_token_digest(text);
