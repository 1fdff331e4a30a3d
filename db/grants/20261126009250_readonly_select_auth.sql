-- migrate:up
-- Analysts may see who the users are and how sessions come and go, never a
-- credential: the password hash and the token digest are left out, column by
-- column. Failed-login records are granted to nobody.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT (tenant_id, id, email, created_at, disabled_at) ON skeldir.users TO skeldir_readonly;
GRANT SELECT (tenant_id, id, family_id, user_id, created_at, expires_at, rotated_at, revoked_at, revoke_reason)
  ON skeldir.refresh_tokens TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.refresh_tokens FROM skeldir_readonly;
REVOKE SELECT ON skeldir.users FROM skeldir_readonly;
