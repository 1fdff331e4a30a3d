-- migrate:up
-- PayPal's certificate mode (SPEC §4.2). pgcrypto cannot verify RSA
-- signatures, so the daemon does, against the certificate an operator pinned
-- for the tenant (public material, unlike webhook secrets) and never against
-- one fetched from PAYPAL-CERT-URL; it then tells api.ingest_webhook the
-- outcome.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.paypal_certificate(tenant_key text, OUT webhook_id text, OUT certificate_pem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF skeldir.resolve_tenant(tenant_key) IS NOT NULL THEN
    SELECT c.webhook_id, c.certificate_pem INTO webhook_id, certificate_pem
      FROM skeldir.tenant_paypal_certificates AS c
     WHERE c.tenant_id = skeldir.current_tenant_id() AND c.revoked_at IS NULL;
  END IF;
END
$$;
COMMENT ON FUNCTION api.paypal_certificate(text) IS
  'The PayPal webhook id and pinned certificate of the tenant owning the key; NULLs when it has none.';

-- Unpins the certificate of the tenant in the current context, if any.
CREATE FUNCTION skeldir.unpin_paypal_certificate() RETURNS bigint
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  WITH unpinned AS (
    UPDATE skeldir.tenant_paypal_certificates AS c SET revoked_at = now() WHERE c.revoked_at IS NULL RETURNING 1
  )
  SELECT count(*) FROM unpinned;
END;

CREATE FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  replaced bigint;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  replaced := skeldir.unpin_paypal_certificate();
  INSERT INTO skeldir.tenant_paypal_certificates (tenant_id, webhook_id, certificate_pem)
  VALUES (tenant_id, webhook_id, btrim(certificate_pem));
  RETURN jsonb_build_object('tenant_id', tenant_id, 'webhook_id', webhook_id, 'replaced', replaced);
END
$$;
COMMENT ON FUNCTION admin.pin_paypal_certificate(uuid, text, text) IS
  'Switches the tenant''s PayPal verification to RSA against this certificate (replacing any pinned one).';

CREATE FUNCTION admin.unpin_paypal_certificate(tenant_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'unpinned', skeldir.unpin_paypal_certificate());
END
$$;
COMMENT ON FUNCTION admin.unpin_paypal_certificate(uuid) IS
  'Returns the tenant''s PayPal verification to the HMAC mode.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.unpin_paypal_certificate(uuid);
DROP FUNCTION admin.pin_paypal_certificate(uuid, text, text);
DROP FUNCTION skeldir.unpin_paypal_certificate();
DROP FUNCTION api.paypal_certificate(text);
