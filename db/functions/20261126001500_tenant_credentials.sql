-- migrate:up
-- Issuing credentials for the tenant in the current context. Keys and secrets
-- come from pgcrypto's CSPRNG inside the database; a key is returned once and
-- only its digest is kept.
SET LOCAL ROLE skeldir_owner;

-- Makes the tenant the context of this transaction, or raises if it does not
-- exist. Operators' entry points start here.
CREATE FUNCTION skeldir.enter_tenant(tenant_id uuid) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM set_config('app.current_tenant_id', coalesce(tenant_id::text, ''), true);
  IF NOT EXISTS (SELECT FROM skeldir.tenants AS t WHERE t.id = enter_tenant.tenant_id) THEN
    RAISE EXCEPTION 'tenant % does not exist', tenant_id
      USING ERRCODE = 'no_data_found', HINT = 'List tenants with psql as skeldir_readonly, or create one with skeldird tenant create.';
  END IF;
END
$$;

CREATE FUNCTION skeldir.issue_api_key() RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  new_key text := 'skd_' || encode(extensions.gen_random_bytes(24), 'hex');
BEGIN
  INSERT INTO skeldir.tenant_api_keys (tenant_id, key_hash, prefix)
  VALUES (skeldir.current_tenant_id(), sha256(convert_to(new_key, 'UTF8')), left(new_key, 12));
  RETURN new_key;
END
$$;

-- Makes `secret` (or a generated one) active for the vendor. With two secrets
-- already active the older is revoked, so the previous secret keeps verifying
-- until the next rotation.
CREATE FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  chosen text := coalesce(secret, 'whsec_' || encode(extensions.gen_random_bytes(32), 'hex'));
  tenant uuid := skeldir.current_tenant_id();
BEGIN
  -- Rotations of one tenant and vendor take turns.
  PERFORM pg_advisory_xact_lock(hashtextextended(tenant::text || '/' || vendor::text, 0));

  UPDATE skeldir.tenant_webhook_secrets AS s
     SET revoked_at = now()
   WHERE s.id = (SELECT o.id FROM skeldir.tenant_webhook_secrets AS o
                  WHERE o.vendor = install_webhook_secret.vendor AND o.revoked_at IS NULL
                  ORDER BY o.created_at, o.slot
                  LIMIT 1)
     AND (SELECT count(*) FROM skeldir.tenant_webhook_secrets AS a
           WHERE a.vendor = install_webhook_secret.vendor AND a.revoked_at IS NULL) = 2;

  INSERT INTO skeldir.tenant_webhook_secrets (tenant_id, vendor, secret, slot)
  SELECT tenant, install_webhook_secret.vendor, chosen,
         CASE WHEN EXISTS (SELECT FROM skeldir.tenant_webhook_secrets AS a
                            WHERE a.vendor = install_webhook_secret.vendor
                              AND a.revoked_at IS NULL AND a.slot = 1)
              THEN 2 ELSE 1 END;
  RETURN chosen;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.install_webhook_secret(skeldir.vendor, text);
DROP FUNCTION skeldir.issue_api_key();
DROP FUNCTION skeldir.enter_tenant(uuid);
