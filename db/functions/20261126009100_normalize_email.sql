-- migrate:up
-- One spelling per address, so that login and the uniqueness check compare
-- like with like: trimmed, Unicode NFC, lower case. A value that is not
-- plausibly an address is refused with the field named (the daemon answers
-- 400 naming "email").
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.normalize_email(email text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  normalized text := lower(normalize(btrim(coalesce(email, '')), NFC));
BEGIN
  IF normalized = '' THEN
    RAISE EXCEPTION 'email is required'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'email';
  END IF;
  IF length(normalized) > 254 OR normalized !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
    RAISE EXCEPTION 'email is not a valid address'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'email';
  END IF;
  RETURN normalized;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.normalize_email(text);
