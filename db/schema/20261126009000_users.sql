-- migrate:up
-- Dashboard users, one tenant each. The password is kept only as a bcrypt
-- hash that pgcrypto computes and checks inside the database. Login takes no
-- tenant (the contract's body is email and password), so an email names one
-- user across all tenants: admin.create_user enforces that, because a unique
-- index on email alone would break the rule that every key of a tenant table
-- includes tenant_id.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.users (
  tenant_id     uuid NOT NULL REFERENCES skeldir.tenants (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email = lower(email) AND email = btrim(email) AND length(email) <= 254),
  password_hash text NOT NULL CHECK (password_hash ~ '^\$2[abxy]\$[0-9]{2}\$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, email),
  CHECK (disabled_at IS NULL OR disabled_at >= created_at)
);

-- Login looks a user up by email before the tenant is known.
CREATE INDEX users_email_idx ON skeldir.users (email);

COMMENT ON TABLE skeldir.users IS
  'Dashboard users; email is normalized (trimmed, NFC, lower case) and unique across tenants; password_hash is bcrypt.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.users;
