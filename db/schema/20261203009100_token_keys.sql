-- migrate:up
-- The keys that sign dashboard access tokens (HS256 JWTs). They live here,
-- readable by the owner alone (so by definer functions, never by a runtime
-- role or the daemon), so that the database both mints and verifies every
-- token and no process outside it can forge one. A token names its key (the
-- JWT header's kid). The newest key that is not retired signs; every key that
-- is not retired verifies, so after a rotation the tokens signed by the
-- previous key keep working until an operator retires it
-- (skeldird token-key rotate / retire). The first key is drawn here, by
-- pgcrypto's CSPRNG: no key is ever written outside the database.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.token_keys (
  kid        text PRIMARY KEY DEFAULT encode(extensions.gen_random_bytes(8), 'hex')
             CHECK (kid ~ '^[0-9a-f]{16}$'),
  secret     bytea NOT NULL DEFAULT extensions.gen_random_bytes(32) CHECK (length(secret) >= 32),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz,
  CHECK (retired_at IS NULL OR retired_at >= created_at)
);

REVOKE ALL ON skeldir.token_keys FROM PUBLIC;

COMMENT ON TABLE skeldir.token_keys IS
  'HMAC-SHA256 keys of dashboard access tokens; the newest unretired key signs, every unretired key verifies.';

INSERT INTO skeldir.token_keys DEFAULT VALUES;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.token_keys;
