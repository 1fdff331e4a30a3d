-- migrate:up
-- The LLM jobs' writes and the attribution explanation run on Citus
-- (issue 16; llm.sql on the cluster), in forms both engines run:
--
-- - skeldir.llm_job_begin and skeldir.llm_job_finish stamped the job's row
--   with clock_timestamp() in their UPDATE ('functions used in UPDATE
--   queries on distributed tables must not be VOLATILE'): the time is now
--   read when the statement is run and passed to it, the same instant.
-- - skeldir.llm_attribution_score_facts turned each credit's cents into
--   major units with skeldir.major_units, a function reading the currencies,
--   inside a query Citus sends to the tenant's shard, where it may not run
--   queries of its own ('cannot execute a distributed query from a query on
--   a shard'): the query joins the currencies (a reference table, on every
--   node) and rounds as skeldir.major_units does (NULL for an unknown
--   currency, as before).
SELECT skeldir.rewrite_function(f::regprocedure, old, new, 1)
  FROM (VALUES
    ('skeldir.llm_job_begin(regclass, text, jsonb, text)',
     'started_at = coalesce(r.started_at, clock_timestamp())', 'started_at = coalesce(r.started_at, $3)'),
    ('skeldir.llm_job_begin(regclass, text, jsonb, text)',
     E'WHERE r.tenant_id = $1 AND r.id = $2'', job_table)\n    USING skeldir.current_tenant_id(), id;',
     E'WHERE r.tenant_id = $1 AND r.id = $2'', job_table)\n    USING skeldir.current_tenant_id(), id, clock_timestamp();'),
    ('skeldir.llm_job_finish(regclass, uuid, uuid, skeldir.llm_feature, text, jsonb)',
     'finished_at = clock_timestamp()', 'finished_at = $6'),
    ('skeldir.llm_job_finish(regclass, uuid, uuid, skeldir.llm_feature, text, jsonb)',
     'USING skeldir.current_tenant_id(), id, status, result, error;',
     'USING skeldir.current_tenant_id(), id, status, result, error, clock_timestamp();'),
    ('skeldir.llm_attribution_score_facts(uuid)',
     '''amount'', skeldir.major_units(a.allocated_cents, a.currency)',
     '''amount'', round(a.allocated_cents / power(10::numeric, cur.exponent), cur.exponent)'),
    ('skeldir.llm_attribution_score_facts(uuid)',
     E'            FROM skeldir.attribution_allocations AS a\n',
     E'            FROM skeldir.attribution_allocations AS a\n            LEFT JOIN skeldir.currencies AS cur ON cur.code = a.currency\n')
  ) AS c(f, old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
