-- migrate:up
-- The change feed's one row of state (SPEC §7). mode says who asks for the
-- downstream work of an ingested event: 'fallback', the ingest transaction
-- itself (transactional enqueue), or 'feed', the daemon consuming the slot.
-- processed_lsn is the commit LSN of the last transaction whose changes were
-- turned into jobs, written in the same transaction as those jobs: after a
-- restart the slot may send a transaction again, and it is skipped. The
-- counters prove exactly-once processing; the lag is what the consumer last
-- measured, for /health/ready.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.change_feed (
  singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  mode             text NOT NULL DEFAULT 'fallback' CHECK (mode IN ('fallback', 'feed')),
  mode_changed_at  timestamptz NOT NULL DEFAULT now(),
  slot_name        text,
  leader           text,
  processed_lsn    pg_lsn NOT NULL DEFAULT '0/0',
  last_commit_at   timestamptz,              -- commit time of the transaction at processed_lsn
  heartbeat_at     timestamptz,
  lag_bytes        bigint NOT NULL DEFAULT 0,
  lag_seconds      double precision NOT NULL DEFAULT 0,
  batches          bigint NOT NULL DEFAULT 0,
  transactions     bigint NOT NULL DEFAULT 0,
  changes          bigint NOT NULL DEFAULT 0,
  skipped_changes  bigint NOT NULL DEFAULT 0,
  -- One realtime refresh per interval: requests due at the next boundary.
  refresh_interval interval NOT NULL DEFAULT '5 seconds' CHECK (refresh_interval > '0'),
  -- A heartbeat older than this means no consumer runs (see worker.change_feed_fallback).
  stale_after      interval NOT NULL DEFAULT '1 minute' CHECK (stale_after > '0')
);
INSERT INTO skeldir.change_feed DEFAULT VALUES;

COMMENT ON TABLE skeldir.change_feed IS
  'Change feed state: mode (fallback|feed), slot, last processed commit LSN, heartbeat, lag and counters.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.change_feed;
