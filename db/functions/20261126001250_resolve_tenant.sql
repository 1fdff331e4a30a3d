-- migrate:up
-- Tenant resolution from an API key (X-Skeldir-Tenant-Key). Entry points call
-- skeldir.resolve_tenant() first; it finds the key by its SHA-256 digest and
-- sets the tenant context for the rest of the transaction.
SET LOCAL ROLE skeldir_owner;

-- The digest of the key being presented, as set by resolve_tenant(); the
-- presented_key policy on tenant_api_keys reveals only the row it names.
CREATE FUNCTION skeldir.presented_key_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
  WHEN current_setting('app.presented_key_hash', true) ~ '^[0-9a-f]{64}$'
  THEN decode(current_setting('app.presented_key_hash', true), 'hex')
END;

CREATE FUNCTION skeldir.resolve_tenant(api_key text) RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  digest bytea := sha256(convert_to(coalesce(api_key, ''), 'UTF8'));
  found  uuid;
BEGIN
  -- Whatever tenant an earlier call in this transaction entered, a key
  -- that resolves to nothing leaves no tenant behind.
  PERFORM set_config('app.current_tenant_id', '', true);
  IF coalesce(api_key, '') = '' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('app.presented_key_hash', encode(digest, 'hex'), true);
  SELECT k.tenant_id INTO found
    FROM skeldir.tenant_api_keys AS k
   WHERE k.key_hash = digest AND k.revoked_at IS NULL;
  PERFORM set_config('app.presented_key_hash', '', true);
  IF found IS NOT NULL THEN
    PERFORM set_config('app.current_tenant_id', found::text, true);
  END IF;
  RETURN found;
END
$$;

COMMENT ON FUNCTION skeldir.resolve_tenant(text) IS
  'Tenant owning an active API key, or NULL; makes it (or no tenant) the context of the transaction.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.resolve_tenant(text);
DROP FUNCTION skeldir.presented_key_hash();
