-- migrate:up
-- Operators create users (skeldird user create). The password is hashed here,
-- with bcrypt at cost 10, and never stored or returned as given. An email may
-- belong to one user in all of Skeldir, since login names no tenant: creations
-- of one email take turns on an advisory lock and look across tenants through
-- the presented_email policy.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.create_user(tenant_id uuid, email text, password text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  normalized text := skeldir.normalize_email(email);
  taken uuid;
  created skeldir.users;
BEGIN
  PERFORM skeldir.check_password(password);
  PERFORM skeldir.enter_tenant(tenant_id);
  PERFORM pg_advisory_xact_lock(hashtextextended('skeldir.users.email/' || normalized, 0));

  PERFORM set_config('app.presented_login_email', normalized, true);
  SELECT u.tenant_id INTO taken FROM skeldir.users AS u WHERE u.email = normalized LIMIT 1;
  PERFORM set_config('app.presented_login_email', '', true);
  IF taken IS NOT NULL THEN
    RAISE EXCEPTION 'a user with email % already exists', normalized
      USING ERRCODE = 'unique_violation', COLUMN = 'email',
            DETAIL = CASE WHEN taken = create_user.tenant_id THEN 'in this tenant' ELSE 'in another tenant' END,
            HINT = 'An email logs in to one tenant only; choose another address.';
  END IF;

  INSERT INTO skeldir.users (tenant_id, email, password_hash)
  VALUES (create_user.tenant_id, normalized, extensions.crypt(password, extensions.gen_salt('bf', 10)))
  RETURNING * INTO created;
  RETURN jsonb_build_object('tenant_id', created.tenant_id, 'user_id', created.id,
                            'email', created.email, 'created_at', created.created_at);
END
$$;
COMMENT ON FUNCTION admin.create_user(uuid, text, text) IS
  'Creates a dashboard user with a bcrypt-hashed password; the email must be unused in every tenant.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.create_user(uuid, text, text);
