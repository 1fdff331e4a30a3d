-- migrate:up
-- GET /api/auth/verify: the daemon has checked the access token's signature
-- and expiry; the database adds whether its user still exists and is enabled.
-- NULL means no (the daemon answers 401).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.verify_session(tenant_id uuid, user_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found skeldir.users;
BEGIN
  PERFORM set_config('app.current_tenant_id', coalesce(tenant_id::text, ''), true);
  SELECT u.* INTO found FROM skeldir.users AS u WHERE u.id = verify_session.user_id AND u.disabled_at IS NULL;
  IF found.id IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object('user_id', found.id, 'tenant_id', found.tenant_id, 'email', found.email);
END
$$;
COMMENT ON FUNCTION api.verify_session(uuid, uuid) IS
  'The user of a verified access token, if it exists and is enabled; NULL otherwise.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.verify_session(uuid, uuid);
