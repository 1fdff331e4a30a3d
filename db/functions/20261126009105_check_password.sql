-- migrate:up
-- The passwords bcrypt can hold: at least 8 characters (the contract's
-- minimum) and at most 72 bytes, because bcrypt ignores every byte after the
-- 72nd and a longer password would be matched by its prefix alone. Refused
-- with the field named, so the daemon answers 400 naming "password".
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.check_password(password text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  IF coalesce(password, '') = '' THEN
    RAISE EXCEPTION 'password is required'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
  IF char_length(password) < 8 THEN
    RAISE EXCEPTION 'password must have at least 8 characters'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
  IF octet_length(convert_to(password, 'UTF8')) > 72 THEN
    RAISE EXCEPTION 'password must be at most 72 bytes long (bcrypt reads no further)'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password';
  END IF;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.check_password(text);
