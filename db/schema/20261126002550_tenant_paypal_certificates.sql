-- migrate:up
-- PayPal's own signature scheme (RSA-SHA256 over
-- transmission_id|transmission_time|webhook_id|crc32(body)) is verified
-- against a certificate an operator pins per tenant, never one fetched from
-- PAYPAL-CERT-URL. A tenant with an active pinned certificate is verified
-- that way only; otherwise the HMAC mode of the system Skeldir replaces
-- applies.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.tenant_paypal_certificates (
  tenant_id       uuid NOT NULL REFERENCES skeldir.tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  webhook_id      text NOT NULL CHECK (length(webhook_id) BETWEEN 1 AND 128),
  certificate_pem text NOT NULL CHECK (certificate_pem LIKE '-----BEGIN CERTIFICATE-----%'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX tenant_paypal_certificates_active_key
  ON skeldir.tenant_paypal_certificates (tenant_id) WHERE revoked_at IS NULL;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.tenant_paypal_certificates;
