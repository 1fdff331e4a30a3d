-- migrate:up
-- POST /api/auth/login. The password is checked here against the bcrypt hash
-- (pgcrypto crypt), so neither the hash nor the check ever leaves the
-- database. Outcomes the daemon turns into answers:
--   ok                   user, tenant and a new refresh token (a new family)
--   invalid_credentials  401, never saying whether the email or the password
--                        was wrong (an unknown email costs a bcrypt check too)
--   rate_limited         429 with retry_after seconds
-- Attempts from one client address, and for one email, take turns (advisory
-- locks, address first, so no two logins wait on each other in a cycle): the
-- limits count every failure however many arrive at once.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval,
                          throttle_window interval, max_failures_per_ip integer,
                          max_failures_per_email integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  normalized text := skeldir.normalize_email(email);
  ip_subject bytea := skeldir.login_subject('ip', host(client_ip));
  email_subject bytea := skeldir.login_subject('email', normalized);
  asof timestamptz;
  wait integer;
  found skeldir.users;
  matches boolean;
  issued jsonb;
BEGIN
  PERFORM skeldir.check_password(password);
  IF client_ip IS NULL THEN
    RAISE EXCEPTION 'client address is required' USING ERRCODE = 'invalid_parameter_value', COLUMN = 'client_ip';
  END IF;
  IF throttle_window IS NULL OR throttle_window <= interval '0'
     OR coalesce(max_failures_per_ip, 0) < 1 OR coalesce(max_failures_per_email, 0) < 1 THEN
    RAISE EXCEPTION 'login limits must be positive (window %, per address %, per email %)',
                    throttle_window, max_failures_per_ip, max_failures_per_email
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'throttle_window';
  END IF;
  PERFORM set_config('app.current_tenant_id', '', true);

  PERFORM pg_advisory_xact_lock(hashtextextended('skeldir.login/' || encode(ip_subject, 'hex'), 0));
  PERFORM pg_advisory_xact_lock(hashtextextended('skeldir.login/' || encode(email_subject, 'hex'), 0));
  asof := clock_timestamp();
  DELETE FROM skeldir.login_failures AS f WHERE f.failed_at <= asof - throttle_window;

  wait := greatest(skeldir.login_retry_after(ip_subject, max_failures_per_ip, throttle_window, asof),
                   skeldir.login_retry_after(email_subject, max_failures_per_email, throttle_window, asof));
  IF wait IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'rate_limited', 'retry_after', wait);
  END IF;

  PERFORM set_config('app.presented_login_email', normalized, true);
  SELECT u.* INTO found FROM skeldir.users AS u WHERE u.email = normalized ORDER BY u.created_at LIMIT 1;
  PERFORM set_config('app.presented_login_email', '', true);

  -- A fixed salt of the same cost stands in for a missing user, so an
  -- unknown email takes as long as a wrong password.
  matches := extensions.crypt(password, coalesce(found.password_hash, '$2a$10$CwTycUXWue0Thq9StjUM0u'))
             = found.password_hash
             AND found.disabled_at IS NULL;
  IF NOT coalesce(matches, false) THEN
    INSERT INTO skeldir.login_failures (subject, failed_at)
    VALUES (ip_subject, clock_timestamp()), (email_subject, clock_timestamp());
    RETURN jsonb_build_object('outcome', 'invalid_credentials');
  END IF;

  -- The right password clears the email's failures, not the address's.
  DELETE FROM skeldir.login_failures AS f WHERE f.subject = email_subject;
  PERFORM set_config('app.current_tenant_id', found.tenant_id::text, true);
  issued := skeldir.issue_refresh_token(found.id, gen_random_uuid(), refresh_ttl);
  RETURN jsonb_build_object('outcome', 'ok', 'user_id', found.id, 'tenant_id', found.tenant_id,
                            'email', found.email) || issued;
END
$$;
COMMENT ON FUNCTION api.login(text, text, inet, interval, interval, integer, integer) IS
  'Checks email and password under per-address and per-email failure limits; on success starts a refresh-token family.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.login(text, text, inet, interval, interval, integer, integer);
