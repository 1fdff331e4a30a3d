-- migrate:up
-- Rotating the keys that sign access tokens (skeldird token-key list |
-- rotate | retire --kid KID). Rotate draws a new key, which signs from then
-- on; the previous keys still verify, so tokens already issued keep working.
-- Retire ends a key: every token it signed is refused at once. The key that
-- signs now cannot be retired (rotate first), so logins never stop. Keys'
-- secrets never leave the database; the list shows ids and dates.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.list_token_keys() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT jsonb_build_object('keys', coalesce(jsonb_agg(jsonb_build_object(
           'kid', k.kid, 'created_at', k.created_at, 'retired_at', k.retired_at,
           'signing', k.kid IS NOT DISTINCT FROM (skeldir.signing_token_key()).kid)
           ORDER BY k.created_at, k.kid), '[]'))
    FROM skeldir.token_keys AS k;
END;

CREATE FUNCTION admin.rotate_token_key() RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  INSERT INTO skeldir.token_keys DEFAULT VALUES
  RETURNING jsonb_build_object('kid', kid, 'created_at', created_at, 'signing', true);
END;

CREATE FUNCTION admin.retire_token_key(kid text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found skeldir.token_keys;
BEGIN
  -- One rotation or retirement at a time, so two retirements cannot leave
  -- no key to sign with.
  LOCK TABLE skeldir.token_keys IN SHARE ROW EXCLUSIVE MODE;
  SELECT k.* INTO found FROM skeldir.token_keys AS k WHERE k.kid = retire_token_key.kid;
  IF found.kid IS NULL THEN
    RAISE EXCEPTION 'no token key %', kid USING ERRCODE = 'no_data_found', COLUMN = 'kid';
  END IF;
  IF found.retired_at IS NULL THEN
    IF found.kid = (skeldir.signing_token_key()).kid THEN
      RAISE EXCEPTION 'token key % signs new tokens; rotate a new key in before retiring it', kid
        USING ERRCODE = 'object_not_in_prerequisite_state', COLUMN = 'kid';
    END IF;
    UPDATE skeldir.token_keys AS k SET retired_at = clock_timestamp() WHERE k.kid = found.kid
    RETURNING k.* INTO found;
  END IF;
  RETURN jsonb_build_object('kid', found.kid, 'created_at', found.created_at, 'retired_at', found.retired_at);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.retire_token_key(text);
DROP FUNCTION admin.rotate_token_key();
DROP FUNCTION admin.list_token_keys();
