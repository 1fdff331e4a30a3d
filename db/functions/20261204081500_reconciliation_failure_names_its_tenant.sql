-- migrate:up
-- A failed reconciliation job marks its run and the platforms' status on the
-- job's tenant's shard (issue 16; reconciliation.sql on the cluster). Its
-- writes named no tenant (Citus sent them to every shard) and stamped the
-- run with clock_timestamp() ('functions used in UPDATE queries on
-- distributed tables must not be VOLATILE'). They now name the job's
-- tenant (the same rows: the tenant in context is the job's), and the time
-- is read just before the write.
SELECT skeldir.rewrite_function('skeldir.reconciliation_run_failed(skeldir.jobs, text)', old, new, expected)
  FROM (VALUES
    (E'  reason text := coalesce(job.last_error, ''the job failed'');\nBEGIN',
     E'  reason text := coalesce(job.last_error, ''the job failed'');\n  finished timestamptz;\nBEGIN', 1),
    ('WHERE x.id = run AND x.status = ''queued''', 'WHERE x.tenant_id = job.tenant_scope AND x.id = run AND x.status = ''queued''', 2),
    (E'  UPDATE skeldir.reconciliation_runs AS x\n     SET status = ''failed'', finished_at = clock_timestamp(), error = reason',
     E'  finished := clock_timestamp();\n  UPDATE skeldir.reconciliation_runs AS x\n     SET status = ''failed'', finished_at = finished, error = reason', 1),
    ('WHERE s.last_run_id = run', 'WHERE s.tenant_id = job.tenant_scope AND s.last_run_id = run', 1)
  ) AS c(old, new, expected);

-- migrate:down
-- (Forward only, README "Migrations".)
