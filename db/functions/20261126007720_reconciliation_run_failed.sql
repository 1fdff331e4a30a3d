-- migrate:up
-- A run's job body commits with the run's results, so it can only record
-- success: when it fails, its writes roll back with it. The queue tells this
-- function instead (job_kinds.on_failure), in the transaction that settles
-- the failed attempt, whoever settles it (worker.fail, worker.work, the lease
-- reaper), in the job's tenant context:
--   retried: the run is queued again, with the error;
--   dead-lettered: the run failed with the job's last error, and so did every
--     platform whose latest run it is;
--   superseded (a newer request is pending): the run failed, pointing at it.
-- A run whose job is running reads as queued in the table; the job's state
-- says it runs.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.reconciliation_run_failed(job skeldir.jobs, outcome text) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  run uuid;
  reason text := coalesce(job.last_error, 'the job failed');
BEGIN
  IF NOT coalesce(job.args ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false) THEN
    RETURN;
  END IF;
  run := (job.args ->> 'run_id')::uuid;
  IF outcome = 'retried' THEN
    UPDATE skeldir.reconciliation_runs AS x SET status = 'queued', error = reason
     WHERE x.id = run AND x.status = 'queued';
    RETURN;
  END IF;
  UPDATE skeldir.reconciliation_runs AS x
     SET status = 'failed', finished_at = clock_timestamp(), error = reason
   WHERE x.id = run AND x.status = 'queued';
  UPDATE skeldir.reconciliation_platform_status AS s
     SET status = 'failed', error = reason, updated_at = now()
   WHERE s.last_run_id = run;
END
$$;

UPDATE skeldir.job_kinds SET on_failure = 'skeldir.reconciliation_run_failed' WHERE kind = 'reconciliation.run';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
UPDATE skeldir.job_kinds SET on_failure = NULL WHERE kind = 'reconciliation.run';
DROP FUNCTION skeldir.reconciliation_run_failed(skeldir.jobs, text);
