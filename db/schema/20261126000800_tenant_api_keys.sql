-- migrate:up
-- API keys are stored only as SHA-256 digests; the key itself is shown once,
-- when it is issued. Several keys may be active at once so a tenant can rotate
-- without downtime.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.tenant_api_keys (
  tenant_id  uuid NOT NULL REFERENCES skeldir.tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  key_hash   bytea NOT NULL CHECK (length(key_hash) = 32),
  prefix     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, key_hash),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

-- Tenant resolution looks a key up by its digest before the tenant is known.
CREATE INDEX tenant_api_keys_active_hash_idx
  ON skeldir.tenant_api_keys (key_hash) WHERE revoked_at IS NULL;

COMMENT ON TABLE skeldir.tenant_api_keys IS
  'SHA-256 digests of tenant API keys (X-Skeldir-Tenant-Key). prefix identifies a key to operators.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.tenant_api_keys;
