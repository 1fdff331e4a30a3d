-- migrate:up
-- RFC 4122 name-based UUIDs (version 5, SHA-1). Idempotency keys and
-- correlation ids are derived this way, exactly as the system Skeldir
-- replaces derived them, so keys stay stable across the migration.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.uuid_v5(namespace uuid, name text) RETURNS uuid
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  h bytea := extensions.digest(uuid_send(namespace) || convert_to(name, 'UTF8'), 'sha1');
BEGIN
  RETURN encode(set_byte(set_byte(substring(h FROM 1 FOR 16),
                                  6, (get_byte(h, 6) & 15) | 80),    -- version 5
                         8, (get_byte(h, 8) & 63) | 128),            -- RFC 4122 variant
                'hex')::uuid;
END
$$;

-- RFC 4122's namespace for names that are URLs, the one the seed used.
CREATE FUNCTION skeldir.namespace_url() RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.namespace_url();
DROP FUNCTION skeldir.uuid_v5(uuid, text);
