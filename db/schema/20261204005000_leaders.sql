-- migrate:up
-- Who leads what among the daemons: one row per leadership (the scheduler,
-- the change feed's consumer), held by leader_id until expires_at. A leader
-- extends its lease by electing itself again before it runs out; a candidate
-- is elected only once it has (worker.elect), and a leader that stops cleanly
-- deletes its row (worker.resign) so another takes over at once.
--
-- This replaces session advisory locks on well-known keys, which any role
-- that may connect could take, and hold, to stall the scheduler or the feed.
-- Only skeldir_worker's functions write here; no runtime role holds a
-- privilege on the table. Not a tenant table: leadership is the
-- deployment's, not a tenant's.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.leaders (
  name        text PRIMARY KEY CHECK (name IN ('scheduler', 'change_feed')),
  leader_id   text NOT NULL CHECK (leader_id <> ''),
  elected_at  timestamptz NOT NULL DEFAULT now(),  -- when leader_id last took over
  expires_at  timestamptz NOT NULL
);

COMMENT ON TABLE skeldir.leaders IS
  'Leadership leases (scheduler, change_feed): held by leader_id until expires_at. Written only through worker.elect and worker.resign.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.leaders;
