-- migrate:up
-- Webhook signing secrets, per tenant and vendor. They are used only inside
-- SQL (pgcrypto hmac) and no runtime role can read them. An active secret
-- occupies slot 1 or 2, so at most two are active per vendor: rotation fills
-- the free slot, and both old and new verify until the old one is revoked.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.tenant_webhook_secrets (
  tenant_id  uuid NOT NULL REFERENCES skeldir.tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  vendor     skeldir.vendor NOT NULL,
  secret     text NOT NULL CHECK (length(secret) >= 16),
  slot       smallint NOT NULL CHECK (slot IN (1, 2)),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

CREATE UNIQUE INDEX tenant_webhook_secrets_active_slot_key
  ON skeldir.tenant_webhook_secrets (tenant_id, vendor, slot) WHERE revoked_at IS NULL;

COMMENT ON TABLE skeldir.tenant_webhook_secrets IS
  'Per-vendor webhook signing secrets; at most two active (slots 1 and 2) per tenant and vendor.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.tenant_webhook_secrets;
