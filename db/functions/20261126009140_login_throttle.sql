-- migrate:up
-- Sliding-window limits on failed logins. A subject (the digest of a client
-- address or of an email) that has failed `max` times within `window` may not
-- try again until enough of those failures have left the window; the answer
-- is how many seconds that takes. The window and the limits come from the
-- daemon's configuration, so one policy holds for every caller of api.login.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.login_subject(kind text, value text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to(kind || ':' || coalesce(value, ''), 'UTF8'));

-- Seconds until `subject` may try again, or NULL if it may now.
CREATE FUNCTION skeldir.login_retry_after(subject bytea, max integer, "window" interval, asof timestamptz)
RETURNS integer
LANGUAGE sql STABLE
BEGIN ATOMIC
  -- The max-th most recent failure: once it leaves the window, max - 1 remain.
  SELECT greatest(1, ceil(extract(epoch FROM f.failed_at + login_retry_after."window" - login_retry_after.asof)))::integer
    FROM skeldir.login_failures AS f
   WHERE f.subject = login_retry_after.subject
     AND f.failed_at > login_retry_after.asof - login_retry_after."window"
   ORDER BY f.failed_at DESC
  OFFSET login_retry_after.max - 1
   LIMIT 1;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.login_retry_after(bytea, integer, interval, timestamptz);
DROP FUNCTION skeldir.login_subject(text, text);
