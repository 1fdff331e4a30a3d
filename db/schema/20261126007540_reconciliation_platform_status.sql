-- migrate:up
-- Each platform's standing for a tenant (SPEC §6.4), one row per tenant and
-- platform, shaped for a view to read as is (mv_reconciliation_status):
--   status: pending while the tenant's latest run (last_run_id) is queued or
--     running; failed when it failed (error says why); otherwise verified
--     when every order of the platform in that run is verified (a platform
--     with no orders in the run is verified, with zero counts) and partial
--     when at least one is ghost or discrepant. A shop's orders are the ones
--     it claims; a processor's are the ones it captured (a ghost has no
--     processor, so it only ever makes its shop partial).
--   counts, verified_revenue and last_synced_at: from the latest completed
--     run (synced_run_id), kept while a newer run is pending or failed.
--     verified_revenue maps currency to the minor units of verified orders
--     ({"USD": 1999}); unmatched_count (processors only) counts captures in
--     the window that no shop order claims, which do not change the status.
-- A tenant with no row for a platform has never requested a run: pending.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.reconciliation_platform_status (
  tenant_id         uuid NOT NULL REFERENCES skeldir.tenants (id),
  platform          skeldir.vendor NOT NULL REFERENCES skeldir.reconciliation_platforms (platform),
  status            skeldir.reconciliation_status NOT NULL DEFAULT 'pending',
  last_run_id       uuid NOT NULL,
  synced_run_id     uuid,
  orders_total      integer NOT NULL DEFAULT 0 CHECK (orders_total >= 0),
  verified_count    integer NOT NULL DEFAULT 0 CHECK (verified_count >= 0),
  ghost_count       integer NOT NULL DEFAULT 0 CHECK (ghost_count >= 0),
  discrepancy_count integer NOT NULL DEFAULT 0 CHECK (discrepancy_count >= 0),
  unmatched_count   integer NOT NULL DEFAULT 0 CHECK (unmatched_count >= 0),
  verified_revenue  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(verified_revenue) = 'object'),
  last_synced_at    timestamptz,
  error             text,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, platform),
  FOREIGN KEY (tenant_id, last_run_id) REFERENCES skeldir.reconciliation_runs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, synced_run_id) REFERENCES skeldir.reconciliation_runs (tenant_id, id) ON DELETE SET NULL (synced_run_id),
  CHECK (orders_total = verified_count + ghost_count + discrepancy_count),
  CHECK ((synced_run_id IS NULL) = (last_synced_at IS NULL)),
  CHECK ((status = 'failed') = (error IS NOT NULL))
);

COMMENT ON TABLE skeldir.reconciliation_platform_status IS
  'Per tenant and platform: reconciliation status (verified, partial, pending, failed) and the latest completed run''s counts.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.reconciliation_platform_status;
