-- migrate:up
-- A reconciliation run whose numbers a platform's status shows
-- (synced_run_id) cannot be deleted: the key now refuses it (NO ACTION)
-- instead of asking to set synced_run_id to NULL (ON DELETE SET NULL), which
-- Citus refuses on a key that includes the distribution column ("SET NULL
-- or SET DEFAULT is not supported in ON DELETE operation when distribution
-- key is included in the foreign key constraint", make test-citus; issue
-- 16). Nothing changes in what can be deleted: the row's check that
-- synced_run_id and last_synced_at are NULL together already failed every
-- such SET NULL, since last_synced_at stayed set; now the key says so.
-- Deleting the run a status row names as its last (last_run_id, ON DELETE
-- CASCADE) still deletes that row with it: NO ACTION is checked at the
-- statement's end. tests/sql/rls.sql holds the rule for every tenant table.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.reconciliation_platform_status
  DROP CONSTRAINT reconciliation_platform_status_tenant_id_synced_run_id_fkey,
  ADD CONSTRAINT reconciliation_platform_status_tenant_id_synced_run_id_fkey
    FOREIGN KEY (tenant_id, synced_run_id) REFERENCES skeldir.reconciliation_runs (tenant_id, id);

-- migrate:down
-- (Forward only, README "Migrations".)
SELECT 1;
