-- migrate:up
-- Channels get a stable UUID, because the contract's explain operation takes
-- a UUID entity_id: the name-based UUID (version 5) of the channel's
-- taxonomy code, the same for every tenant (the taxonomy is Skeldir's) and
-- for as long as the code exists. GET /api/attribution/channels lists each
-- row's ids beside its codes; skeldir.channel_code resolves either.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.channel_id(code text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN skeldir.uuid_v5(skeldir.namespace_url(), 'urn:skeldir:channel:' || code);

COMMENT ON FUNCTION skeldir.channel_id(text) IS
  'A channel''s stable id: UUID v5 of urn:skeldir:channel:<taxonomy code>.';

-- The taxonomy code an explanation's entity_id names: a channel id (UUID) or
-- the code itself. A UUID that is no channel's id is a 404 (no_data_found);
-- anything else that is not a code, a 400 naming entity_id.
CREATE FUNCTION skeldir.channel_code(entity_id text) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  found text;
BEGIN
  SELECT t.code INTO found FROM skeldir.channel_taxonomy AS t WHERE t.code = entity_id;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  IF entity_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    SELECT t.code INTO found FROM skeldir.channel_taxonomy AS t WHERE skeldir.channel_id(t.code) = entity_id::uuid;
    IF found IS NULL THEN
      RAISE EXCEPTION 'no channel has id %', entity_id USING ERRCODE = 'no_data_found',
        HINT = 'GET /api/attribution/channels lists each channel''s id (channel_ids) beside its code (channels).';
    END IF;
    RETURN found;
  END IF;
  RAISE EXCEPTION 'unknown channel %', quote_literal(entity_id) USING ERRCODE = 'invalid_parameter_value', COLUMN = 'entity_id',
    HINT = 'A channel_performance entity id is a channel id (UUID) or a channel code, as GET /api/attribution/channels lists them.';
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.channel_code(text);
DROP FUNCTION skeldir.channel_id(text);
