-- migrate:up
-- Webhook URL tokens: a shop or processor can only be given a URL, so each
-- tenant has, per vendor, a URL whose path carries an opaque token naming the
-- tenant (/hooks/<vendor>/<token>). The token only names the tenant; the
-- vendor's signature still proves the sender. Tokens are stored as SHA-256
-- digests. Several may be active at once, so a URL can be rotated: the old
-- one keeps working until it is revoked.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.tenant_webhook_tokens (
  tenant_id  uuid NOT NULL REFERENCES skeldir.tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  vendor     skeldir.vendor NOT NULL,
  token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
  prefix     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, token_hash),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

-- Resolution looks a token up by its digest before the tenant is known.
CREATE INDEX tenant_webhook_tokens_active_hash_idx
  ON skeldir.tenant_webhook_tokens (token_hash) WHERE revoked_at IS NULL;

COMMENT ON TABLE skeldir.tenant_webhook_tokens IS
  'SHA-256 digests of the tokens in tenants'' webhook URLs, per vendor. prefix identifies a token to operators.';

-- A token is derived from its row's id with this key (HMAC-SHA256), so an
-- operator can print a tenant's URLs again without the token being stored.
-- Generated in the database on first migration; granted to no runtime role.
CREATE TABLE skeldir.webhook_token_key (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  key       bytea NOT NULL DEFAULT extensions.gen_random_bytes(32) CHECK (length(key) = 32)
);
INSERT INTO skeldir.webhook_token_key DEFAULT VALUES;

COMMENT ON TABLE skeldir.webhook_token_key IS
  'The key webhook URL tokens are derived from; one row, readable by the owner only.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.webhook_token_key;
DROP TABLE skeldir.tenant_webhook_tokens;
