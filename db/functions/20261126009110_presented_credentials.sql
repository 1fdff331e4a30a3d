-- migrate:up
-- What a login or refresh is presenting, as set by api.login and
-- api.refresh_session for the one query that finds it. The presented_email
-- policy on users and the presented_token policy on refresh_tokens reveal
-- only the rows these name, and only to the owner (that is, to definer
-- functions): knowing the email and password, or the token, already means
-- knowing its tenant. Unset or malformed, they name nothing.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.presented_login_email() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('app.presented_login_email', true), '');

CREATE FUNCTION skeldir.presented_refresh_token_hash() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
  WHEN current_setting('app.presented_refresh_token_hash', true) ~ '^[0-9a-f]{64}$'
  THEN decode(current_setting('app.presented_refresh_token_hash', true), 'hex')
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.presented_refresh_token_hash();
DROP FUNCTION skeldir.presented_login_email();
