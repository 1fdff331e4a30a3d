-- migrate:up
-- Signature checks over the exact raw bytes (SPEC §4.2), against any active
-- secret of the tenant in the current context. Secrets are read here and
-- nowhere else, and never leave the database.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.signature_valid(vendor skeldir.vendor, headers jsonb, body bytea,
                                        paypal_certificate_verified boolean)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  secrets bytea[];
  stripe_header text := headers ->> 'stripe-signature';
  stripe_t text;
BEGIN
  SELECT array_agg(convert_to(s.secret, 'UTF8')) INTO secrets
    FROM skeldir.tenant_webhook_secrets AS s
   WHERE s.tenant_id = skeldir.current_tenant_id() AND s.vendor = signature_valid.vendor
     AND s.revoked_at IS NULL;

  CASE vendor
  WHEN 'shopify', 'woocommerce' THEN
    -- base64(HMAC-SHA256(secret, body)) in X-Shopify-Hmac-Sha256 / X-WC-Webhook-Signature
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'base64')
                          = headers ->> CASE vendor WHEN 'shopify' THEN 'x-shopify-hmac-sha256'
                                                    ELSE 'x-wc-webhook-signature' END);
  WHEN 'stripe' THEN
    -- Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...] over "<t>.<body>",
    -- at most 300 s from now.
    stripe_t := substring(stripe_header FROM '(?:^|,)\s*t=([0-9]{1,12})\s*(?:,|$)');
    IF stripe_t IS NULL OR abs(extract(epoch FROM now()) - stripe_t::bigint) > 300 THEN
      RETURN false;
    END IF;
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k,
                               regexp_matches(stripe_header, '(?:^|,)\s*v1=([0-9a-fA-F]{64})\s*(?=,|$)', 'g') AS v1
                    WHERE encode(extensions.hmac(convert_to(stripe_t || '.', 'UTF8') || body, k, 'sha256'), 'hex')
                          = lower(v1[1]));
  WHEN 'paypal' THEN
    -- A tenant with a pinned certificate is verified by its RSA signature
    -- (checked by the daemon against that certificate); otherwise
    -- hex(HMAC-SHA256(secret, body)) in PAYPAL-TRANSMISSION-SIG.
    IF EXISTS (SELECT FROM skeldir.tenant_paypal_certificates AS c
                WHERE c.tenant_id = skeldir.current_tenant_id() AND c.revoked_at IS NULL) THEN
      RETURN coalesce(paypal_certificate_verified, false);
    END IF;
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'hex')
                          = lower(headers ->> 'paypal-transmission-sig'));
  END CASE;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.signature_valid(skeldir.vendor, jsonb, bytea, boolean);
