-- migrate:up
-- Every advisory lock the product took becomes a turn on skeldir.turns
-- (20261204000100, 20261204000200): row locks that only the owner may take,
-- so no other session can stall these paths by taking the same key. Each
-- body is the one before with its lock call replaced, key for key:
--   installing a webhook secret       webhook_secret/<tenant>/<vendor>
--   minting the webhook URL tokens    webhook_tokens/<tenant>
--   creating a user (email unique)    users.email/<normalised email>
--   a login attempt (throttles)       login/<client address>, login/<email>
--   booking a capped refund           refund/<tenant>/<vendor>/<transaction>
--   refreshing realtime revenue       refresh_realtime_revenue/<tenant>
--   refreshing a materialized view    refresh_matview/<view> (skipped if held)
-- The recompute's turn comes with the history of attribution
-- (20261204000600). A login's two keys are now taken in one call, in stripe
-- order, where two calls could deadlock on shared stripes.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.install_webhook_secret(vendor skeldir.vendor, secret text DEFAULT NULL::text)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
  chosen text := coalesce(secret, 'whsec_' || encode(extensions.gen_random_bytes(32), 'hex'));
  tenant uuid := skeldir.current_tenant_id();
BEGIN
  -- Rotations of one tenant and vendor take turns.
  PERFORM skeldir.take_turns('webhook_secret/' || tenant || '/' || vendor);

  UPDATE skeldir.tenant_webhook_secrets AS s
     SET revoked_at = now()
   WHERE s.id = (SELECT o.id FROM skeldir.tenant_webhook_secrets AS o
                  WHERE o.vendor = install_webhook_secret.vendor AND o.revoked_at IS NULL
                  ORDER BY o.created_at, o.slot
                  LIMIT 1)
     AND (SELECT count(*) FROM skeldir.tenant_webhook_secrets AS a
           WHERE a.vendor = install_webhook_secret.vendor AND a.revoked_at IS NULL) = 2;

  INSERT INTO skeldir.tenant_webhook_secrets (tenant_id, vendor, secret, slot)
  SELECT tenant, install_webhook_secret.vendor, chosen,
         CASE WHEN EXISTS (SELECT FROM skeldir.tenant_webhook_secrets AS a
                            WHERE a.vendor = install_webhook_secret.vendor
                              AND a.revoked_at IS NULL AND a.slot = 1)
              THEN 2 ELSE 1 END;
  RETURN chosen;
END
$function$;

CREATE OR REPLACE FUNCTION skeldir.webhook_urls()
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  newest jsonb;
  active jsonb;
BEGIN
  PERFORM skeldir.take_turns('webhook_tokens/' || tenant);
  PERFORM skeldir.issue_webhook_token(v)
     FROM unnest(enum_range(NULL::skeldir.vendor)) AS v
    WHERE NOT EXISTS (SELECT FROM skeldir.tenant_webhook_tokens AS t WHERE t.vendor = v AND t.revoked_at IS NULL);
  SELECT jsonb_object_agg(u.vendor, u.url) INTO newest
    FROM (SELECT DISTINCT ON (t.vendor) t.vendor, skeldir.webhook_url(t.vendor, t.id) AS url
            FROM skeldir.tenant_webhook_tokens AS t WHERE t.revoked_at IS NULL
           ORDER BY t.vendor, t.created_at DESC, t.id) AS u;
  SELECT jsonb_agg(jsonb_build_object('vendor', t.vendor, 'prefix', t.prefix, 'created_at', t.created_at,
                                      'url', skeldir.webhook_url(t.vendor, t.id))
                   ORDER BY t.vendor, t.created_at DESC, t.id) INTO active
    FROM skeldir.tenant_webhook_tokens AS t WHERE t.revoked_at IS NULL;
  RETURN jsonb_build_object('webhook_urls', newest, 'active_tokens', active);
END
$function$;

CREATE OR REPLACE FUNCTION admin.create_user(tenant_id uuid, email text, password text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
  normalized text := skeldir.normalize_email(email);
  taken uuid;
  created skeldir.users;
BEGIN
  PERFORM skeldir.check_password(password);
  PERFORM skeldir.enter_tenant(tenant_id);
  PERFORM skeldir.take_turns('users.email/' || normalized);

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
$function$;

CREATE OR REPLACE FUNCTION api.login(email text, password text, client_ip inet, refresh_ttl interval, access_ttl interval, throttle_window interval, max_failures_per_ip integer, max_failures_per_email integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
  normalized text := skeldir.normalize_email(email);
  ip_subject bytea := skeldir.login_subject('ip', host(client_ip));
  email_subject bytea := skeldir.login_subject('email', normalized);
  asof timestamptz;
  wait integer;
  found skeldir.users;
  matches boolean;
  session uuid := gen_random_uuid();
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

  PERFORM skeldir.take_turns('login/' || encode(ip_subject, 'hex'), 'login/' || encode(email_subject, 'hex'));
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
  issued := skeldir.issue_refresh_token(found.id, session, refresh_ttl)
            || skeldir.issue_access_token(found.tenant_id, found.id, session, access_ttl);
  RETURN jsonb_build_object('outcome', 'ok', 'user_id', found.id, 'tenant_id', found.tenant_id,
                            'email', found.email) || issued;
END
$function$;

CREATE OR REPLACE FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  m skeldir.money_movement;
  booked bigint := 0;
  rows_booked integer := 0;
  amount bigint;
  inserted integer;
BEGIN
  IF d.refund_cap_cents IS NOT NULL THEN
    PERFORM skeldir.take_turns('refund/' || tenant || '/' || vendor || '/' || d.reverses_transaction_id);
    SELECT coalesce(sum(l.amount_cents), 0) INTO booked
      FROM skeldir.revenue_ledger AS l
     WHERE l.tenant_id = tenant AND l.vendor = book_money.vendor AND l.state = 'refunded'
       AND coalesce(l.reverses_transaction_id, l.transaction_id) = d.reverses_transaction_id;
  END IF;
  FOREACH m IN ARRAY coalesce(d.movements,
      ARRAY[ROW(d.transaction_id, d.ledger_state, d.revenue_cents, d.occurred_at)::skeldir.money_movement]) LOOP
    CONTINUE WHEN m.state IS NULL;
    amount := m.amount_cents;
    IF m.state = 'refunded' AND d.refund_cap_cents IS NOT NULL THEN
      amount := least(amount, d.refund_cap_cents - booked);
      CONTINUE WHEN amount <= 0;
    END IF;
    INSERT INTO skeldir.revenue_ledger
      (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at,
       reverses_transaction_id)
    VALUES
      (tenant, vendor, m.transaction_id, m.state, d.order_id, amount, d.currency, event_id,
       coalesce(m.occurred_at, d.occurred_at), CASE WHEN m.state <> 'captured' THEN d.reverses_transaction_id END)
    ON CONFLICT ON CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    rows_booked := rows_booked + inserted;
    IF inserted > 0 AND m.state = 'refunded' THEN
      booked := booked + amount;
    END IF;
  END LOOP;
  RETURN rows_booked;
END
$function$;

CREATE OR REPLACE FUNCTION skeldir.refresh_realtime_revenue()
 RETURNS integer
 LANGUAGE plpgsql
 SET jit TO 'off'
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  written integer;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'refresh_realtime_revenue needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.take_turns('refresh_realtime_revenue/' || tenant);
  CREATE TEMP TABLE realtime_fresh ON COMMIT DROP AS
  SELECT r.currency,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'captured'), 0)::bigint AS captured_cents,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'refunded'), 0)::bigint AS refunded_cents,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'chargeback'), 0)::bigint AS chargeback_cents,
         coalesce(sum(CASE r.state WHEN 'captured' THEN r.amount_cents ELSE -r.amount_cents END), 0)::bigint AS net_cents,
         count(*) FILTER (WHERE r.state = 'captured') AS captures,
         max(r.recorded_at) AS last_booked_at
    FROM skeldir.revenue_of_record AS r
   WHERE r.tenant_id = tenant
   GROUP BY r.currency;
  DELETE FROM skeldir.realtime_revenue AS x
   WHERE x.tenant_id = tenant AND x.currency NOT IN (SELECT f.currency FROM realtime_fresh AS f);
  INSERT INTO skeldir.realtime_revenue AS x
    (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, last_booked_at,
     refreshed_at)
  SELECT tenant, f.currency, f.captured_cents, f.refunded_cents, f.chargeback_cents, f.net_cents, f.captures,
         f.last_booked_at, clock_timestamp()
    FROM realtime_fresh AS f
  ON CONFLICT (tenant_id, currency) DO UPDATE
     SET captured_cents = excluded.captured_cents, refunded_cents = excluded.refunded_cents,
         chargeback_cents = excluded.chargeback_cents, net_cents = excluded.net_cents, captures = excluded.captures,
         last_booked_at = excluded.last_booked_at, refreshed_at = excluded.refreshed_at;
  GET DIAGNOSTICS written = ROW_COUNT;
  DROP TABLE realtime_fresh;
  RETURN written;
END
$function$;

CREATE OR REPLACE FUNCTION skeldir.refresh_matview(view_name text)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
  mv skeldir.matviews;
  started timestamptz := clock_timestamp();
  waited_before text := current_setting('lock_timeout');
BEGIN
  SELECT * INTO mv FROM skeldir.matviews AS m WHERE m.name = refresh_matview.view_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown materialized view %', quote_literal(view_name) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT skeldir.try_take_turn('refresh_matview/' || mv.name) THEN
    PERFORM skeldir.count_matview_refresh(mv.name, 'skipped', 0);
    RETURN 'skipped';
  END IF;
  PERFORM set_config('lock_timeout', (extract(epoch FROM mv.lock_timeout) * 1000)::bigint || 'ms', true);
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', mv.name);
  PERFORM set_config('lock_timeout', waited_before, true);
  PERFORM skeldir.count_matview_refresh(mv.name, 'refreshed', extract(epoch FROM clock_timestamp() - started));
  RETURN 'refreshed';
END
$function$;

-- migrate:down
-- (These bodies stay: the lock calls they replaced are in the migrations
-- that defined them before. skeldir.take_turns must stay while they do.)
SELECT 1;
