-- Dashboard tenancy is decided in SQL (issue 13): access tokens are minted
-- and verified by the database, every dashboard function takes the presented
-- token and no tenant or user id, and a token stops working the moment its
-- session ends, its user is disabled or its key is retired.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(19);

-- A forger's tools: the JWT pieces, and a key that is not ours.
CREATE FUNCTION pg_temp.jwt(header text, claims jsonb, key bytea) RETURNS text LANGUAGE sql AS $$
  SELECT h || '.' || p || '.' || skeldir.to_base64url(extensions.hmac(convert_to(h || '.' || p, 'UTF8'), key, 'sha256'))
    FROM (SELECT skeldir.to_base64url(convert_to(header, 'UTF8')) AS h,
                 skeldir.to_base64url(convert_to(claims::text, 'UTF8')) AS p) AS parts
$$;
CREATE FUNCTION pg_temp.claims(token text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT convert_from(skeldir.from_base64url(split_part(token, '.', 2)), 'UTF8')::jsonb
$$;
-- The SQLSTATE and message a statement raises, run as the API role.
CREATE FUNCTION pg_temp.refusal(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
BEGIN
  EXECUTE statement;
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
  RETURN state || ' ' || message;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO skeldir_api;

SELECT kid AS kid_1, secret AS secret_1 FROM skeldir.token_keys WHERE retired_at IS NULL \gset
SELECT pg_temp.claims(:'access_a') AS claims_a \gset
-- Tenant B's user, in a token claiming tenant B but signed with another key.
SELECT pg_temp.jwt(format('{"alg":"HS256","typ":"JWT","kid":"%s"}', :'kid_1'),
                   pg_temp.claims(:'access_b'), extensions.gen_random_bytes(32)) AS forged_b \gset
-- A's token with its payload changed to name tenant B, signature kept.
SELECT split_part(:'access_a', '.', 1) || '.' ||
       skeldir.to_base64url(convert_to(jsonb_set(:'claims_a'::jsonb, '{tid}', to_jsonb(:'tenant_b'::text))::text, 'UTF8')) ||
       '.' || split_part(:'access_a', '.', 3) AS retargeted_a \gset
-- A's claims with no signature at all.
SELECT skeldir.to_base64url(convert_to('{"alg":"none","typ":"JWT"}', 'UTF8')) || '.' ||
       split_part(:'access_a', '.', 2) || '.' AS unsigned_a \gset

-- Every dashboard door takes the presented token first, and refuses a
-- forged one before it reads anything: the walk calls each api function
-- that has an access_token parameter with the forgery and NULL for the rest.
SET ROLE skeldir_api;
SELECT is_empty(format($$
  SELECT p.oid::regprocedure, pg_temp.refusal(format('SELECT * FROM %%s(%%s)', p.oid::regproc,
           (SELECT string_agg(CASE WHEN a.n = 1 THEN quote_literal(%L) ELSE 'NULL' END, ', ')
              FROM generate_series(1, p.pronargs) AS a(n))))
    FROM pg_proc AS p
   WHERE p.pronamespace = 'api'::regnamespace AND p.proargnames[1] = 'access_token'
  EXCEPT
  SELECT p.oid::regprocedure, 'PT401 the access token is invalid'
    FROM pg_proc AS p
   WHERE p.pronamespace = 'api'::regnamespace AND p.proargnames[1] = 'access_token' $$, :'forged_b'),
  'every dashboard function refuses a token another key signed, whatever tenant it claims');
SELECT cmp_ok((SELECT count(*) FROM pg_proc WHERE pronamespace = 'api'::regnamespace
                 AND proargnames[1] = 'access_token'), '>=', 14::bigint,
  'the walk sees the dashboard''s functions');

-- The right token reads its own tenant, and only it.
SELECT is(api.verify_session(:'access_a') ->> 'tenant_id', :'tenant_a', 'a token of A verifies as A');
SELECT is(api.reconciliation_overview(:'access_b') IS NOT NULL, true,
  'a token of B reads B''s reconciliation');
SELECT is(pg_temp.refusal(format($$ SELECT api.verify_session(%L) $$, :'retargeted_a')),
  'PT401 the access token is invalid', 'a token whose payload names another tenant is refused');
SELECT is(pg_temp.refusal(format($$ SELECT api.verify_session(%L) $$, left(:'access_a', -3) || 'AAA')),
  'PT401 the access token is invalid', 'a tampered signature is refused');
SELECT is(pg_temp.refusal(format($$ SELECT api.verify_session(%L) $$, :'unsigned_a')),
  'PT401 the access token is invalid', 'an unsigned token (alg none) is refused');
SELECT is(pg_temp.refusal($$ SELECT api.verify_session(E'\x01.\x02.\x03') $$),
  'PT401 the access token is invalid', 'garbage is refused in our words');
RESET ROLE;

-- Expired: signed with our key, its exp passed.
SELECT pg_temp.jwt(format('{"alg":"HS256","typ":"JWT","kid":"%s"}', :'kid_1'),
                   jsonb_set(:'claims_a'::jsonb, '{exp}', to_jsonb(extract(epoch FROM now())::bigint - 1)),
                   :'secret_1') AS expired_a \gset
SET ROLE skeldir_api;
SELECT is(pg_temp.refusal(format($$ SELECT api.verify_session(%L) $$, :'expired_a')),
  'PT401 the access token has expired; refresh it', 'an expired token is refused');

-- Revocation takes effect on the next call.
SELECT api.login('owner@tenant-a.example', 'fixture-password-tenant-a', '192.0.2.20',
                 '30 days', '15 minutes', '15 minutes', 20, 10) AS second_a \gset
SELECT api.logout(:'second_a'::jsonb ->> 'access_token', :'second_a'::jsonb ->> 'refresh_token') AS logged_out \gset
SELECT is(pg_temp.refusal(format($$ SELECT api.reconciliation_overview(%L) $$, :'second_a'::jsonb ->> 'access_token')),
  'PT401 the session has ended (logged out, or the user was disabled); log in again',
  'a logged-out session''s token is refused at once');
SELECT is(api.verify_session(:'access_a') ->> 'tenant_id', :'tenant_a', 'the user''s other session goes on');
SELECT api.refresh_session(:'second_a'::jsonb ->> 'refresh_token', '30 days', '15 minutes') ->> 'outcome' AS reused \gset
RESET ROLE;
SELECT admin.set_user_enabled(:'tenant_a', 'owner@tenant-a.example', false) AS disabled \gset
SET ROLE skeldir_api;
SELECT is(pg_temp.refusal(format($$ SELECT * FROM api.revenue_export(%L, '2026-01-01', '2026-01-02') $$, :'access_a')),
  'PT401 the session has ended (logged out, or the user was disabled); log in again',
  'a disabled user''s token is refused at once, exports included');
RESET ROLE;
SELECT admin.set_user_enabled(:'tenant_a', 'owner@tenant-a.example', true) AS enabled \gset

-- Rotation: both keys verify until the old one is retired.
SET ROLE skeldir_admin;
SELECT throws_ok(format($$ SELECT admin.retire_token_key(%L) $$, :'kid_1'), '55000', NULL,
  'the key that signs cannot be retired');
SELECT admin.rotate_token_key() ->> 'kid' AS kid_2 \gset
RESET ROLE;
SET ROLE skeldir_api;
SELECT api.login('owner@tenant-b.example', 'fixture-password-tenant-b', '192.0.2.20',
                 '30 days', '15 minutes', '15 minutes', 20, 10) ->> 'access_token' AS rotated_b \gset
RESET ROLE;
SELECT is(convert_from(skeldir.from_base64url(split_part(:'rotated_b', '.', 1)), 'UTF8')::jsonb ->> 'kid', :'kid_2',
  'after a rotation the new key signs');
SET ROLE skeldir_api;
SELECT is(ARRAY[api.verify_session(:'access_b') ->> 'tenant_id', api.verify_session(:'rotated_b') ->> 'tenant_id'],
          ARRAY[:'tenant_b', :'tenant_b'], 'both keys'' tokens verify');
RESET ROLE;
SET ROLE skeldir_admin;
SELECT admin.retire_token_key(:'kid_1') AS retired \gset
RESET ROLE;
SET ROLE skeldir_api;
SELECT is(ARRAY[pg_temp.refusal(format($$ SELECT api.verify_session(%L) $$, :'access_b')),
                api.verify_session(:'rotated_b') ->> 'tenant_id'],
          ARRAY['PT401 the access token is invalid', :'tenant_b'],
  'once the old key is retired its tokens are refused and the new key''s still verify');
RESET ROLE;

-- The keys are the owner's alone.
SELECT is_empty($$
  SELECT r FROM unnest(ARRAY['skeldir_api', 'skeldir_worker', 'skeldir_admin', 'skeldir_readonly']) AS r
   WHERE has_table_privilege(r, 'skeldir.token_keys', 'SELECT')
      OR has_function_privilege(r, 'skeldir.enter_session(text)', 'EXECUTE')
      OR has_function_privilege(r, 'skeldir.issue_access_token(uuid, uuid, uuid, interval)', 'EXECUTE') $$,
  'no runtime role reads the signing keys or mints or judges a token itself');

-- The catalog rule: no api function takes a tenant or a user.
SELECT is_empty($$ SELECT subject, detail FROM skeldir.audit_credentials() WHERE NOT ok $$,
  'no api function has a parameter naming a tenant or a user');
SELECT cmp_ok((SELECT count(*) FROM skeldir.audit_credentials()), '=',
              (SELECT count(*) FROM pg_proc WHERE pronamespace = 'api'::regnamespace),
  'the rule walks every api function');

SELECT * FROM finish();
ROLLBACK;
