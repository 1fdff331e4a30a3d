-- migrate:up
-- Operators list a tenant's API keys (by prefix: the key itself is never
-- stored) and revoke one of them (skeldird tenant keys|revoke-key). Rotating
-- without a gap: issue a new key (rotate-key), move the sender to it, then
-- revoke the old one by its prefix.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.list_api_keys(tenant_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'keys', coalesce(
    (SELECT jsonb_agg(jsonb_build_object('prefix', k.prefix, 'created_at', k.created_at, 'revoked_at', k.revoked_at)
                      ORDER BY k.created_at, k.prefix)
       FROM skeldir.tenant_api_keys AS k), '[]'));
END
$$;
COMMENT ON FUNCTION admin.list_api_keys(uuid) IS 'A tenant''s API keys by prefix, with when each was issued and revoked.';

CREATE FUNCTION admin.revoke_api_key(tenant_id uuid, prefix text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  revoked bigint;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  UPDATE skeldir.tenant_api_keys AS k SET revoked_at = now()
   WHERE k.prefix = revoke_api_key.prefix AND k.revoked_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  IF revoked = 0 THEN
    RAISE EXCEPTION 'the tenant has no active API key with prefix %', quote_literal(prefix)
      USING ERRCODE = 'no_data_found', HINT = 'List them with skeldird tenant keys --tenant ID.';
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'prefix', prefix, 'revoked_keys', revoked);
END
$$;
COMMENT ON FUNCTION admin.revoke_api_key(uuid, text) IS 'Revokes the tenant''s active API key(s) with this prefix.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.revoke_api_key(uuid, text);
DROP FUNCTION admin.list_api_keys(uuid);
