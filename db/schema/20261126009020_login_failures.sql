-- migrate:up
-- Failed logins, for the sliding-window limits per client address and per
-- email. A failure happens before any tenant is known, so this is not a
-- tenant table. Subjects are SHA-256 digests ('ip:<addr>', 'email:<email>')
-- rather than the address or email itself, and rows older than the window
-- are deleted by the next login.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.login_failures (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject   bytea NOT NULL CHECK (length(subject) = 32),
  failed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX login_failures_subject_idx ON skeldir.login_failures (subject, failed_at);
CREATE INDEX login_failures_failed_at_idx ON skeldir.login_failures (failed_at);

COMMENT ON TABLE skeldir.login_failures IS
  'Failed logins by digest of client address or email; read by api.login''s rate limits.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.login_failures;
