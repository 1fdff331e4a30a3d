-- migrate:up
-- base64url without padding (RFC 4648 §5), the alphabet of JWT segments
-- (RFC 7515 §2). PostgreSQL's encode() knows only base64, with padding and a
-- line break every 76 characters; these translate between the two.
-- from_base64url answers NULL for text that is not base64url, so a caller
-- judging a presented token never meets decode()'s own error.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.to_base64url(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(rtrim(encode(data, 'base64'), E'=\n'), E'+/\n', '-_');

CREATE FUNCTION skeldir.from_base64url(segment text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
  WHEN segment ~ '^[A-Za-z0-9_-]*$' AND length(segment) % 4 <> 1
  THEN decode(translate(segment, '-_', '+/') || repeat('=', (4 - length(segment) % 4) % 4), 'base64')
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.from_base64url(text);
DROP FUNCTION skeldir.to_base64url(bytea);
