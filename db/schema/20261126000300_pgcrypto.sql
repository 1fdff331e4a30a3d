-- migrate:up
-- pgcrypto provides hmac() for signature checks and gen_random_bytes() for
-- keys and secrets. It is a trusted extension, so the owner may create it.
SET LOCAL ROLE skeldir_owner;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP EXTENSION pgcrypto;
