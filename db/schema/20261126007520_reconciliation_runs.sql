-- migrate:up
-- One row per reconciliation a tenant asked for (SPEC §6.4): the window of
-- shop orders it compares, half-open [window_start, window_end), where it
-- is, and what it found. A run is requested by skeldir.request_reconciliation
-- and carried out by the job in job_id; its status follows that job (see
-- skeldir.track_reconciliation_job), so a run whose job is dead-lettered ends
-- failed with the job's last error. The counts are those of its completed
-- comparison and stay 0 until then.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.reconciliation_runs (
  tenant_id         uuid NOT NULL REFERENCES skeldir.tenants (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  status            skeldir.reconciliation_run_status NOT NULL DEFAULT 'queued',
  window_start      timestamptz NOT NULL,
  window_end        timestamptz NOT NULL,
  job_id            bigint,              -- no FK: finished jobs are pruned, runs are history
  requested_at      timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  orders_total      integer NOT NULL DEFAULT 0 CHECK (orders_total >= 0),
  verified_count    integer NOT NULL DEFAULT 0 CHECK (verified_count >= 0),
  ghost_count       integer NOT NULL DEFAULT 0 CHECK (ghost_count >= 0),
  discrepancy_count integer NOT NULL DEFAULT 0 CHECK (discrepancy_count >= 0),
  unmatched_count   integer NOT NULL DEFAULT 0 CHECK (unmatched_count >= 0),  -- captures no shop order claims
  error             text,
  PRIMARY KEY (tenant_id, id),
  CHECK (window_start < window_end),
  CHECK (orders_total = verified_count + ghost_count + discrepancy_count),
  CHECK ((status IN ('completed', 'failed')) = (finished_at IS NOT NULL))
);

-- The latest runs of a tenant first.
CREATE INDEX reconciliation_runs_requested_idx ON skeldir.reconciliation_runs (tenant_id, requested_at DESC);

COMMENT ON TABLE skeldir.reconciliation_runs IS
  'Reconciliation runs per tenant: window, status (queued, completed, failed), counts, error.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.reconciliation_runs;
