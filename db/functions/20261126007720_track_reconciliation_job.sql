-- migrate:up
-- A run's status follows its job. The body runs in one transaction with its
-- job's completion, so it can only ever record success: when it fails, its
-- writes roll back with it. What happens to the job then is recorded here,
-- by a trigger on the job row, in the dispatcher's own transaction, whoever
-- settles it (worker.fail, worker.work, the lease reaper):
--   claimed (available -> running): the run is running;
--   retried (running -> available): the run is queued again, with the error;
--   dead-lettered (running -> dead): the run failed with the job's last
--     error, and so did every platform whose latest run it is.
-- Completion needs nothing: the body marked the run completed.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.track_reconciliation_job() RETURNS trigger
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  prior text := current_setting('app.current_tenant_id', true);
  run uuid;
BEGIN
  IF NEW.tenant_scope IS NULL
     OR NOT coalesce(NEW.args ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false) THEN
    RETURN NULL;
  END IF;
  run := (NEW.args ->> 'run_id')::uuid;
  PERFORM set_config('app.current_tenant_id', NEW.tenant_scope::text, true);

  CASE NEW.state
  WHEN 'running' THEN
    UPDATE skeldir.reconciliation_runs AS x
       SET status = 'running', started_at = coalesce(NEW.started_at, clock_timestamp())
     WHERE x.id = run AND x.status IN ('queued', 'running');
  WHEN 'available' THEN
    UPDATE skeldir.reconciliation_runs AS x
       SET status = 'queued', error = NEW.last_error
     WHERE x.id = run AND x.status IN ('queued', 'running');
  WHEN 'dead' THEN
    UPDATE skeldir.reconciliation_runs AS x
       SET status = 'failed', finished_at = coalesce(NEW.finished_at, clock_timestamp()),
           error = coalesce(NEW.last_error, 'the job was dead-lettered')
     WHERE x.id = run AND x.status IN ('queued', 'running');
    UPDATE skeldir.reconciliation_platform_status AS s
       SET status = 'failed', error = coalesce(NEW.last_error, 'the job was dead-lettered'), updated_at = now()
     WHERE s.last_run_id = run;
  ELSE
    NULL;
  END CASE;

  PERFORM set_config('app.current_tenant_id', coalesce(prior, ''), true);
  RETURN NULL;
END
$$;

CREATE TRIGGER track_reconciliation_job AFTER UPDATE OF state ON skeldir.jobs
  FOR EACH ROW
  WHEN (NEW.kind = 'reconciliation.run' AND NEW.state IS DISTINCT FROM OLD.state)
  EXECUTE FUNCTION skeldir.track_reconciliation_job();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER track_reconciliation_job ON skeldir.jobs;
DROP FUNCTION skeldir.track_reconciliation_job();
