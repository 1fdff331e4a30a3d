-- migrate:up
-- When each event arrived, in a form a recompute can compare with what it
-- saw (issue 15, target 4: the job's day after one new purchase or one late
-- touch in 20 ms, when reading the day's 3,300 purchases and their touches
-- already takes about that). arrived_xid is the inserting transaction's id
-- (pg_current_xact_id(), the top-level one, also for a subtransaction's
-- insert). A recompute records the xmin of its snapshot (and its own
-- transaction id, when it has one) with its window
-- (skeldir.attribution_marks): every event committed by a transaction below
-- that xmin was visible to it, so the events that can have arrived since
-- are those with arrived_xid at or above it, found through this index,
-- however their transactions' commits were ordered. Events are append-only,
-- so the value never changes; rows stored before this migration keep NULL
-- and are older than every mark (marks are created after it, by a recompute
-- that read them).
--
-- The events are a book (20261204000700): only a superuser may change
-- their columns and indexes, so this migration runs as the migrating
-- superuser, not as skeldir_owner. Adding the column is metadata only (no
-- default for existing rows, then the default for new ones). The change
-- feed's publication lists its columns, so it does not carry this one.
ALTER TABLE skeldir.attribution_events ADD COLUMN arrived_xid xid8;
ALTER TABLE skeldir.attribution_events ALTER COLUMN arrived_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX attribution_events_arrival_idx ON skeldir.attribution_events (tenant_id, arrived_xid)
  WHERE arrived_xid IS NOT NULL;
COMMENT ON COLUMN skeldir.attribution_events.arrived_xid IS
  'The inserting transaction''s id: the events a recompute did not see are those at or above the snapshot xmin it recorded.';

-- migrate:down
-- (Forward only, README "Migrations".)
