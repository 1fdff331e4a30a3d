-- migrate:up
-- A tenant asks for a reconciliation of the shop orders of a window (what
-- POST /api/reconciliation/sync will call, for the tenant in context): the
-- run row and its job commit together with the caller's transaction, and
-- every platform of the tenant turns pending on the new run.
--
-- Requests coalesce: the job's dedupe key is per tenant, so while a run's
-- job is queued a request gets that run's id back instead of a second run,
-- and the run is widened to cover the requested window too (its job row is
-- locked first, so no dispatcher can claim it mid-change). A running run may
-- have read the orders before the request, so a request then queues a new
-- run.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.request_reconciliation(window_start timestamptz, window_end timestamptz) RETURNS uuid
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  run uuid := gen_random_uuid();
  job bigint;
  pending uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'a reconciliation is requested for the tenant in context, and there is none'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF window_start IS NULL OR window_end IS NULL OR window_start >= window_end THEN
    RAISE EXCEPTION 'reconciliation window [%, %) is not a window: start must precede end',
                    coalesce(window_start::text, 'NULL'), coalesce(window_end::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  LOOP
    job := skeldir.enqueue('reconciliation.run', jsonb_build_object('run_id', run), tenant, NULL,
                           'reconciliation.run:' || tenant);
    SELECT (j.args ->> 'run_id')::uuid INTO pending FROM skeldir.jobs AS j WHERE j.id = job;
    IF pending IS NULL THEN
      RAISE EXCEPTION 'pending reconciliation job % names no run', job USING ERRCODE = 'data_exception';
    END IF;
    IF pending = run THEN
      INSERT INTO skeldir.reconciliation_runs AS x (tenant_id, id, window_start, window_end, job_id)
      VALUES (tenant, run, window_start, window_end, job);
      INSERT INTO skeldir.reconciliation_platform_status AS s (tenant_id, platform, status, last_run_id)
      SELECT tenant, p.platform, 'pending', run FROM skeldir.reconciliation_platforms AS p
      ON CONFLICT (tenant_id, platform) DO UPDATE
         SET status = 'pending', last_run_id = excluded.last_run_id, error = NULL, updated_at = now();
      RETURN run;
    END IF;
    -- Coalesced, unless a dispatcher claims the job this very moment: then
    -- it is running, and the request asks again.
    PERFORM FROM skeldir.jobs AS j WHERE j.id = job AND j.state = 'available' FOR UPDATE;
    EXIT WHEN FOUND;
  END LOOP;
  UPDATE skeldir.reconciliation_runs AS x
     SET window_start = least(x.window_start, request_reconciliation.window_start),
         window_end = greatest(x.window_end, request_reconciliation.window_end)
   WHERE x.id = pending AND x.status = 'queued';
  RETURN pending;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.request_reconciliation(timestamptz, timestamptz);
