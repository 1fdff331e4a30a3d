-- migrate:up
-- The closed vocabularies of reconciliation (SPEC §6.4).
SET LOCAL ROLE skeldir_owner;

-- Where a run is: queued until its job completes it (the job's own state
-- says whether a dispatcher runs it now), or failed once its job is
-- dead-lettered or superseded.
CREATE TYPE skeldir.reconciliation_run_status AS ENUM ('queued', 'completed', 'failed');

-- What one shop order came to: verified (the processors captured exactly
-- what the shop claims), ghost (the shop claims money no processor ever
-- captured) or discrepancy (captured, but a different amount).
CREATE TYPE skeldir.reconciliation_outcome AS ENUM ('verified', 'ghost', 'discrepancy');

-- A platform's standing after its tenant's latest run: verified, partial
-- (some of its orders ghost or discrepant), pending (a run is queued or
-- running) or failed (the latest run failed). The values of the contract's
-- connection_status and overall_status.
CREATE TYPE skeldir.reconciliation_status AS ENUM ('verified', 'partial', 'pending', 'failed');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TYPE skeldir.reconciliation_status;
DROP TYPE skeldir.reconciliation_outcome;
DROP TYPE skeldir.reconciliation_run_status;
