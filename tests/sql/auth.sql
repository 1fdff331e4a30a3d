-- Dashboard auth in SQL (SPEC §2.3, §3): bcrypt hashing and checking inside
-- the database, refresh tokens kept as digests with rotation and reuse
-- detection, login limits, and who can see credentials.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(35);

SELECT admin.create_user(:'tenant_a', '  Ada@Example.COM ', 'correct horse battery') AS ada \gset
SELECT :'ada'::jsonb ->> 'user_id' AS ada_id \gset

-- Hashing (read as the owner in Ada's tenant: on Citus the rows were written
-- as the owner in this transaction, and no other user may touch them)
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT is((SELECT email FROM skeldir.users WHERE id = :'ada_id'), 'ada@example.com',
  'the email is stored trimmed and in lower case');
SELECT matches((SELECT password_hash FROM skeldir.users WHERE id = :'ada_id'), '^\$2a\$10\$.{53}$',
  'the password is stored as a bcrypt hash of cost 10');
SELECT is((SELECT extensions.crypt('correct horse battery', password_hash) = password_hash
             FROM skeldir.users WHERE id = :'ada_id'), true,
  'the stored hash checks the password inside SQL');
SELECT is_empty(format($$SELECT FROM skeldir.users AS u WHERE position(%L IN u::text) > 0$$, 'correct horse battery'),
  'the password itself is stored nowhere');
SELECT skeldir.set_tenant_context('', true);
RESET ROLE;
SELECT throws_ok(format($$SELECT admin.create_user(%L, 'ADA@example.com', 'another password')$$, :'tenant_b'),
  '23505', NULL, 'an email taken in one tenant cannot be used in another (login names no tenant)');
SELECT throws_ok(format($$SELECT admin.create_user(%L, 'not-an-address', 'long enough pw')$$, :'tenant_a'),
  '22023', 'email is not a valid address', 'a malformed email is refused');
SELECT throws_ok(format($$SELECT admin.create_user(%L, 'short@example.com', 'short')$$, :'tenant_a'),
  '22023', 'password must have at least 8 characters', 'a short password is refused');
SELECT throws_ok(format($$SELECT admin.create_user(%L, 'long@example.com', %L)$$, :'tenant_a', repeat('x', 73)),
  '22023', NULL, 'a password bcrypt would truncate is refused');

-- Login, as the API role
SET ROLE skeldir_api;
SELECT is(api.login('ada@example.com', 'wrong password!', '198.51.100.1', '1 day', '15 minutes', '1 hour', 100, 100) ->> 'outcome',
  'invalid_credentials', 'a wrong password fails');
SELECT is(api.login('nobody@example.com', 'correct horse battery', '198.51.100.1', '1 day', '15 minutes', '1 hour', 100, 100),
  '{"outcome": "invalid_credentials"}'::jsonb, 'an unknown email fails with the very same answer');
SELECT api.login('ADA@example.com', 'correct horse battery', '198.51.100.1', '1 day', '15 minutes', '1 hour', 100, 100) AS login \gset
SELECT is(:'login'::jsonb - 'refresh_token' - 'refresh_expires_at' - 'access_token' - 'expires_in' - 'expires_at',
  jsonb_build_object('outcome', 'ok', 'user_id', :'ada_id', 'tenant_id', :'tenant_a', 'email', 'ada@example.com'),
  'the right password logs in and names the user and tenant');
SELECT :'login'::jsonb ->> 'refresh_token' AS rt1 \gset
SELECT matches(:'rt1'::text, '^skr_[0-9a-f]{64}$', 'login returns a random refresh token');
SELECT throws_ok($$SELECT api.login('ada@example.com', '', '198.51.100.1', '1 day', '15 minutes', '1 hour', 100, 100)$$,
  '22023', 'password is required', 'an empty password is bad input, not a failed login');
RESET ROLE;
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);

SELECT is((SELECT count(*) FROM skeldir.refresh_tokens WHERE token_hash = sha256(convert_to(:'rt1', 'UTF8'))),
  1::bigint, 'the refresh token is stored as its SHA-256 digest');
SELECT is_empty(format($$SELECT FROM skeldir.refresh_tokens AS t WHERE position(%L IN t::text) > 0
                         OR position(%L IN t::text) > 0$$, :'rt1', substr(:'rt1', 5)),
  'the refresh token itself is stored nowhere');
SELECT skeldir.set_tenant_context('', true);
RESET ROLE;

-- Login limits (a fresh address and email per case; the window is long)
SET ROLE skeldir_api;
SELECT api.login('ada@example.com', 'wrong password!', '203.0.113.5', '1 day', '15 minutes', '10 seconds', 100, 3)
  FROM generate_series(1, 3);
SELECT api.login('ada@example.com', 'wrong password!', '203.0.113.5', '1 day', '15 minutes', '10 seconds', 100, 3) AS limited \gset
SELECT is(:'limited'::jsonb ->> 'outcome', 'rate_limited', 'the email is limited after its failures fill the window');
SELECT ok((:'limited'::jsonb ->> 'retry_after')::int BETWEEN 1 AND 10, 'retry_after is within the window');
SELECT is(api.login('ada@example.com', 'correct horse battery', '203.0.113.6', '1 day', '15 minutes', '10 seconds', 100, 3) ->> 'outcome',
  'rate_limited', 'while limited, even the right password is not checked');
SELECT is(api.login('ada@example.com', 'correct horse battery', '203.0.113.6', '1 day', '15 minutes', '1 millisecond', 100, 3) ->> 'outcome',
  'ok', 'once the failures leave the window, the right password works');
SELECT api.login('spray' || i || '@example.com', 'guessed password', '203.0.113.7', '1 day', '15 minutes', '10 seconds', 5, 100)
  FROM generate_series(1, 5) AS i;
SELECT is(api.login('ada@example.com', 'correct horse battery', '203.0.113.7', '1 day', '15 minutes', '10 seconds', 5, 100) ->> 'outcome',
  'rate_limited', 'an address that failed on many emails is limited on every email');
RESET ROLE;
SELECT is_empty(format($$SELECT FROM skeldir.login_failures AS f
                         WHERE position(convert_to(%L, 'UTF8') IN f.subject) > 0$$, 'spray1@example.com'),
  'failed logins keep digests, not emails');

-- Rotation and reuse
SET ROLE skeldir_api;
SELECT api.refresh_session(:'rt1', '1 day', '15 minutes') AS refreshed \gset
SELECT :'refreshed'::jsonb ->> 'refresh_token' AS rt2 \gset
SELECT is(:'refreshed'::jsonb ->> 'outcome', 'ok', 'a fresh refresh token is exchanged');
SELECT isnt(:'rt2'::text, :'rt1'::text, 'the exchange issues a new refresh token');
SELECT is(api.refresh_session(:'rt2', '1 day', '15 minutes') ->> 'outcome', 'ok', 'the new token refreshes in turn');
SELECT is(api.refresh_session(:'rt1', '1 day', '15 minutes') ->> 'outcome', 'reused',
  'the first token, already rotated, is refused as reused');
RESET ROLE;
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT is((SELECT count(*) FILTER (WHERE revoked_at IS NULL) FROM skeldir.refresh_tokens
            WHERE family_id = (SELECT family_id FROM skeldir.refresh_tokens
                                WHERE token_hash = sha256(convert_to(:'rt1', 'UTF8')))),
  0::bigint, 'reuse revokes every token of the family');
SELECT skeldir.set_tenant_context('', true);
RESET ROLE;
SET ROLE skeldir_api;
SELECT is(api.refresh_session('skr_' || repeat('0', 64), '1 day', '15 minutes'), '{"outcome": "invalid"}'::jsonb,
  'an unknown refresh token is invalid');

-- Logout
SELECT api.login('ada@example.com', 'correct horse battery', '198.51.100.2', '1 day', '15 minutes', '1 hour', 100, 100)
  ->> 'refresh_token' AS rt3 \gset
SELECT api.login('owner@tenant-b.example', 'fixture-password-tenant-b', '198.51.100.2', '1 day', '15 minutes', '1 hour', 100, 100)
  ->> 'access_token' AS at_b \gset
SELECT api.login('ada@example.com', 'correct horse battery', '198.51.100.2', '1 day', '15 minutes', '1 hour', 100, 100)
  ->> 'access_token' AS at_ada \gset
SELECT throws_ok(format($$SELECT api.logout(%L, %L)$$, :'at_b', :'rt3'),
  '22023', NULL, 'another user''s refresh token cannot be logged out');
SELECT is(api.logout(:'at_ada', :'rt3') ->> 'revoked_tokens', '1', 'logout revokes the session');
SELECT is(api.refresh_session(:'rt3', '1 day', '15 minutes') ->> 'outcome', 'invalid', 'a logged-out refresh token is invalid');

-- Verify
SELECT is(api.verify_session(:'at_ada') ->> 'email', 'ada@example.com', 'an enabled user''s token verifies');
SELECT is(api.verify_session(:'at_b') ->> 'tenant_id', :'tenant_b', 'a token verifies as its own tenant''s user');
RESET ROLE;

-- Who sees credentials
SET ROLE skeldir_readonly;
SELECT throws_ok($$SELECT password_hash FROM skeldir.users$$, '42501', NULL,
  'the read-only role cannot read password hashes');
SELECT throws_ok($$SELECT token_hash FROM skeldir.refresh_tokens$$, '42501', NULL,
  'the read-only role cannot read refresh-token digests');
SELECT throws_ok($$SELECT email FROM skeldir.users$$, '42501', NULL,
  'the read-only role cannot read emails either (presenting one reveals nothing outside the login function)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
