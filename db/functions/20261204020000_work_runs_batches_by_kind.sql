-- migrate:up
-- Short jobs run a kind's batch in one statement (issue 15, target 3).
-- worker.work used to run each job in a subtransaction of its own through
-- its own EXECUTE, and update its row alone: for 200 no-op jobs, 200
-- subtransactions (past PostgreSQL's cache of 64 per transaction, which
-- makes every concurrent snapshot look the overflow up in pg_subtrans), 200
-- dynamic statements and 200 updates. Now the claimed jobs are grouped by
-- kind and tenant, and each group runs in one statement inside one
-- subtransaction (the tenant's context set once), then completes in one
-- update. Failures stay isolated per job: when a group's statement fails,
-- its subtransaction undoes every job of the group, and the group runs
-- again one job at a time, each in its own subtransaction, exactly as
-- before, so a poison pill fails alone and its neighbours complete.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION worker.work(queue text, max_jobs integer, worker_id text)
RETURNS TABLE (job_id bigint, kind text, outcome text, seconds double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g record;
  started timestamptz;
  ran boolean;
  i integer;
  failure text;
  failure_class text;
BEGIN
  FOR g IN WITH claimed AS MATERIALIZED (
             SELECT c.id, c.kind, c.args, c.tenant_scope, k.body
               FROM skeldir.jobs AS c JOIN skeldir.job_kinds AS k ON k.kind = c.kind
              WHERE c.queue = work.queue::skeldir.queue AND c.state = 'available' AND c.run_at <= now() AND k.batchable
              ORDER BY c.run_at, c.id
              LIMIT max_jobs
                FOR UPDATE OF c SKIP LOCKED)
           SELECT c.kind, c.body, c.tenant_scope, array_agg(c.id ORDER BY c.id) AS ids,
                  array_agg(c.args ORDER BY c.id) AS args
             FROM claimed AS c
            GROUP BY c.kind, c.body, c.tenant_scope
            ORDER BY min(c.id) LOOP
    started := clock_timestamp();
    BEGIN
      PERFORM set_config('app.current_tenant_id', coalesce(g.tenant_scope::text, ''), true);
      EXECUTE format('SELECT %s(x.args, x.id) FROM unnest($1, $2) AS x(args, id)', g.body) USING g.args, g.ids;
      PERFORM set_config('app.current_tenant_id', '', true);
      ran := true;
    EXCEPTION WHEN OTHERS THEN
      ran := false;
    END;
    IF ran THEN
      UPDATE skeldir.jobs AS x
         SET attempt = x.attempt + 1, started_at = started, state = 'completed', finished_at = clock_timestamp()
       WHERE x.id = ANY (g.ids);
      RETURN QUERY SELECT u.id, g.kind, 'completed'::text,
                          extract(epoch FROM clock_timestamp() - started)::double precision / cardinality(g.ids)
                     FROM unnest(g.ids) AS u(id);
      CONTINUE;
    END IF;
    -- One job of the group failed: each on its own, as one job's failure
    -- must not decide its neighbours'.
    FOR i IN 1 .. cardinality(g.ids) LOOP
      started := clock_timestamp();
      failure := NULL;
      BEGIN
        PERFORM skeldir.run_job_body(g.ids[i], g.body, g.args[i], g.tenant_scope);
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_class = RETURNED_SQLSTATE;
      END;
      UPDATE skeldir.jobs AS x
         SET attempt = x.attempt + 1, started_at = started,
             state = CASE WHEN failure IS NULL THEN 'completed'::skeldir.job_state ELSE 'running' END,
             finished_at = CASE WHEN failure IS NULL THEN clock_timestamp() END,
             leased_by = CASE WHEN failure IS NOT NULL THEN worker_id END
       WHERE x.id = g.ids[i];
      outcome := CASE WHEN failure IS NULL THEN 'completed'
                      ELSE skeldir.settle_failure(g.ids[i], failure_class, failure) END;
      job_id := g.ids[i];
      kind := g.kind;
      seconds := extract(epoch FROM clock_timestamp() - started);
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only: worker.work keeps this body; 20261126005400 defines the one before.)
SELECT 1;
