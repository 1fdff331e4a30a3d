-- migrate:up
-- Operators' entry points for webhook URLs (skeldird tenant webhook-urls,
-- rotate-webhook-url, revoke-webhook-url), and tenant creation handing them
-- out with the other credentials.
SET LOCAL ROLE skeldir_owner;

-- The tenant's active URLs, newest first per vendor; a vendor without an
-- active token gets one first (tenants created before URLs existed get
-- theirs on the first call).
CREATE FUNCTION skeldir.webhook_urls() RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  newest jsonb;
  active jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(tenant::text || '/webhook_tokens', 0));
  PERFORM skeldir.issue_webhook_token(v)
     FROM unnest(enum_range(NULL::skeldir.vendor)) AS v
    WHERE NOT EXISTS (SELECT FROM skeldir.tenant_webhook_tokens AS t WHERE t.vendor = v AND t.revoked_at IS NULL);
  SELECT jsonb_object_agg(u.vendor, u.url) INTO newest
    FROM (SELECT DISTINCT ON (t.vendor) t.vendor, skeldir.webhook_url(t.vendor, t.id) AS url
            FROM skeldir.tenant_webhook_tokens AS t WHERE t.revoked_at IS NULL
           ORDER BY t.vendor, t.created_at DESC, t.id) AS u;
  SELECT jsonb_agg(jsonb_build_object('vendor', t.vendor, 'prefix', t.prefix, 'created_at', t.created_at,
                                      'url', skeldir.webhook_url(t.vendor, t.id))
                   ORDER BY t.vendor, t.created_at DESC, t.id) INTO active
    FROM skeldir.tenant_webhook_tokens AS t WHERE t.revoked_at IS NULL;
  RETURN jsonb_build_object('webhook_urls', newest, 'active_tokens', active);
END
$$;

CREATE FUNCTION admin.webhook_urls(tenant_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id) || skeldir.webhook_urls();
END
$$;
COMMENT ON FUNCTION admin.webhook_urls(uuid) IS
  'The tenant''s webhook URL per vendor (newest) and every active token; issues any that are missing.';

CREATE FUNCTION admin.rotate_webhook_url(tenant_id uuid, vendor skeldir.vendor) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  token_id uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  token_id := skeldir.issue_webhook_token(vendor);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'vendor', vendor,
                            'webhook_url', skeldir.webhook_url(vendor, token_id),
                            'prefix', left(skeldir.webhook_token(token_id), 12));
END
$$;
COMMENT ON FUNCTION admin.rotate_webhook_url(uuid, skeldir.vendor) IS
  'Issues a new webhook URL for the vendor; the existing ones keep working until revoked.';

CREATE FUNCTION admin.revoke_webhook_url(tenant_id uuid, prefix text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  revoked bigint;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  UPDATE skeldir.tenant_webhook_tokens AS t SET revoked_at = now()
   WHERE t.prefix = revoke_webhook_url.prefix AND t.revoked_at IS NULL;
  GET DIAGNOSTICS revoked = ROW_COUNT;
  IF revoked = 0 THEN
    RAISE EXCEPTION 'tenant % has no active webhook URL with prefix %', tenant_id, prefix
      USING ERRCODE = 'no_data_found', HINT = 'List them with skeldird tenant webhook-urls.';
  END IF;
  RETURN jsonb_build_object('tenant_id', tenant_id, 'prefix', prefix, 'revoked', revoked);
END
$$;
COMMENT ON FUNCTION admin.revoke_webhook_url(uuid, text) IS
  'Revokes the tenant''s active webhook URL(s) whose token starts with prefix; deliveries to it get 401.';

CREATE OR REPLACE FUNCTION admin.create_tenant(name text) RETURNS jsonb
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
                            'api_key', api_key, 'webhook_secrets', secrets,
                            'webhook_urls', skeldir.webhook_urls() -> 'webhook_urls');
END
$$;
COMMENT ON FUNCTION admin.create_tenant(text) IS
  'Creates a tenant with one API key, a webhook secret and a webhook URL per vendor; returns them.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
CREATE OR REPLACE FUNCTION admin.create_tenant(name text) RETURNS jsonb
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
DROP FUNCTION admin.revoke_webhook_url(uuid, text);
DROP FUNCTION admin.rotate_webhook_url(uuid, skeldir.vendor);
DROP FUNCTION admin.webhook_urls(uuid);
DROP FUNCTION skeldir.webhook_urls();
