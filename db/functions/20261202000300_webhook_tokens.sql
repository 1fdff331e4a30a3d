-- migrate:up
-- Issuing and resolving webhook URL tokens (see skeldir.tenant_webhook_tokens).
-- A delivery to /hooks/<vendor>/<token> reaches SQL with the token under the
-- pseudo-header ':url-token' (a colon cannot start a real header name, so a
-- sender cannot forge it as a header); resolution then works like the
-- X-Skeldir-Tenant-Key path it stands in for.
SET LOCAL ROLE skeldir_owner;

-- The token of a token row: HMAC-SHA256 of its id under the server's key,
-- 160 bits in hex. Only its digest is stored.
CREATE FUNCTION skeldir.webhook_token(token_id uuid) RETURNS text
LANGUAGE sql STABLE
RETURN 'whk_' || left(encode(extensions.hmac(convert_to(token_id::text, 'UTF8'),
                                             (SELECT k.key FROM skeldir.webhook_token_key AS k), 'sha256'), 'hex'), 40);

-- The URL path of a token (what a tenant pastes into its store's settings).
CREATE FUNCTION skeldir.webhook_url(vendor skeldir.vendor, token_id uuid) RETURNS text
LANGUAGE sql STABLE
RETURN '/hooks/' || vendor::text || '/' || skeldir.webhook_token(token_id);

-- Issues a token for the tenant in the current context; returns its row id.
CREATE FUNCTION skeldir.issue_webhook_token(vendor skeldir.vendor) RETURNS uuid
LANGUAGE plpgsql VOLATILE
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

-- The tenant a delivery names, made the context of the transaction (or no
-- tenant): by its URL token when it came to a tenant URL, which must be a
-- token for this vendor, otherwise by its X-Skeldir-Tenant-Key.
CREATE FUNCTION skeldir.resolve_webhook_tenant(vendor skeldir.vendor, headers jsonb) RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  token text := headers ->> ':url-token';
  digest bytea;
  found uuid;
BEGIN
  IF token IS NULL THEN
    RETURN skeldir.resolve_tenant(headers ->> 'x-skeldir-tenant-key');
  END IF;
  PERFORM set_config('app.current_tenant_id', '', true);
  digest := sha256(convert_to(token, 'UTF8'));
  PERFORM set_config('app.presented_webhook_token_hash', encode(digest, 'hex'), true);
  SELECT t.tenant_id INTO found
    FROM skeldir.tenant_webhook_tokens AS t
   WHERE t.token_hash = digest AND t.revoked_at IS NULL AND t.vendor = resolve_webhook_tenant.vendor;
  PERFORM set_config('app.presented_webhook_token_hash', '', true);
  IF found IS NOT NULL THEN
    PERFORM set_config('app.current_tenant_id', found::text, true);
  END IF;
  RETURN found;
END
$$;

COMMENT ON FUNCTION skeldir.resolve_webhook_tenant(skeldir.vendor, jsonb) IS
  'Tenant named by a delivery''s URL token (for this vendor) or tenant key, or NULL; makes it the context.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.resolve_webhook_tenant(skeldir.vendor, jsonb);
DROP FUNCTION skeldir.issue_webhook_token(skeldir.vendor);
DROP FUNCTION skeldir.webhook_url(skeldir.vendor, uuid);
DROP FUNCTION skeldir.webhook_token(uuid);
