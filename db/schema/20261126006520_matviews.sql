-- migrate:up
-- The registry of materialized views (the seed's matviews/registry.py) and
-- their refresh counts. A view's cadence picks its pulse (SPEC §5: every
-- minute for realtime views, hourly for daily ones); its lock timeout bounds
-- how long a refresh waits for the view's lock before it fails and is
-- retried.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.matviews (
  name         text PRIMARY KEY CHECK (name ~ '^mv_[a-z_]+$'),
  cadence      text NOT NULL CHECK (cadence IN ('realtime', 'daily')),
  lock_timeout interval NOT NULL DEFAULT '5 seconds' CHECK (lock_timeout > '0'),
  description  text NOT NULL
);

-- Refreshes by view and outcome, for the worker's metrics: refreshed,
-- skipped (another refresh of the view was running) or failed.
CREATE TABLE skeldir.matview_refresh_stats (
  view_name   text NOT NULL REFERENCES skeldir.matviews (name) ON DELETE CASCADE,
  outcome     text NOT NULL CHECK (outcome IN ('refreshed', 'skipped', 'failed')),
  refreshes   bigint NOT NULL DEFAULT 0,
  seconds     double precision NOT NULL DEFAULT 0,
  last_at     timestamptz,
  PRIMARY KEY (view_name, outcome)
);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.matview_refresh_stats;
DROP TABLE skeldir.matviews;
