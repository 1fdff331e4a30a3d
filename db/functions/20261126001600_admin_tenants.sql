-- migrate:up
-- Operators' entry points for tenants and their credentials (skeldird tenant
-- ...). Each returns what the operator must hand to the tenant, once.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.create_tenant(name text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  tenant_id uuid := gen_random_uuid();
  api_key text;
  secrets jsonb;
BEGIN
  PERFORM set_config('app.current_tenant_id', tenant_id::text, true);
  INSERT INTO skeldir.tenants (id, name) VALUES (tenant_id, btrim(create_tenant.name));
  api_key := skeldir.issue_api_key();
  SELECT jsonb_object_agg(v, skeldir.install_webhook_secret(v)) INTO secrets
    FROM unnest(enum_range(NULL::skeldir.vendor)) AS v;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'name', btrim(create_tenant.name),
                            'api_key', api_key, 'webhook_secrets', secrets);
END
$$;
COMMENT ON FUNCTION admin.create_tenant(text) IS
  'Creates a tenant with one API key and a webhook secret per vendor; returns them once.';

CREATE FUNCTION admin.rotate_api_key(tenant_id uuid, revoke_existing boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  revoked bigint := 0;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  IF revoke_existing THEN
    UPDATE skeldir.tenant_api_keys AS k SET revoked_at = now() WHERE k.revoked_at IS NULL;
    GET DIAGNOSTICS revoked = ROW_COUNT;
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'api_key', skeldir.issue_api_key(),
                            'revoked_keys', revoked);
END
$$;
COMMENT ON FUNCTION admin.rotate_api_key(uuid, boolean) IS
  'Issues a new API key; existing keys stay active unless revoke_existing.';

CREATE FUNCTION admin.rotate_webhook_secret(tenant_id uuid, vendor skeldir.vendor,
                                            secret text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'vendor', vendor,
                            'secret', skeldir.install_webhook_secret(vendor, secret));
END
$$;
COMMENT ON FUNCTION admin.rotate_webhook_secret(uuid, skeldir.vendor, text) IS
  'Activates a new webhook secret (given or generated); the previous one stays valid until the next rotation.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.rotate_webhook_secret(uuid, skeldir.vendor, text);
DROP FUNCTION admin.rotate_api_key(uuid, boolean);
DROP FUNCTION admin.create_tenant(text);
