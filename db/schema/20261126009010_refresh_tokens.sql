-- migrate:up
-- Refresh tokens, stored only as SHA-256 digests (the token is returned once).
-- Each login starts a family; each refresh marks its token rotated and issues
-- the next one in the same family. A rotated token presented again means it
-- was copied, so the whole family is revoked.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.refresh_tokens (
  tenant_id     uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id     uuid NOT NULL,
  user_id       uuid NOT NULL,
  token_hash    bytea NOT NULL CHECK (length(token_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  rotated_at    timestamptz,
  revoked_at    timestamptz,
  revoke_reason text CHECK (revoke_reason IN ('logout', 'reuse', 'user_disabled', 'password_changed')),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES skeldir.users (tenant_id, id) ON DELETE CASCADE,
  CHECK (expires_at > created_at),
  CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);

-- Refresh finds a token by its digest before the tenant is known.
CREATE INDEX refresh_tokens_hash_idx ON skeldir.refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON skeldir.refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_user_idx ON skeldir.refresh_tokens (tenant_id, user_id) WHERE revoked_at IS NULL;

COMMENT ON TABLE skeldir.refresh_tokens IS
  'SHA-256 digests of refresh tokens; family_id groups one login''s rotations for reuse detection.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.refresh_tokens;
