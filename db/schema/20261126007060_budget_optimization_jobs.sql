-- migrate:up
-- Asynchronous budget recommendations (SPEC §6.3, contract llm-budget): the
-- inputs (total budget, goal, constraints), the llm job that computes them,
-- and the result. request_id as in investigations.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.budget_optimization_jobs (
  tenant_id   uuid NOT NULL REFERENCES skeldir.tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id  uuid NOT NULL,
  inputs      jsonb NOT NULL CHECK (jsonb_typeof(inputs) = 'object'),
  status      skeldir.llm_job_status NOT NULL DEFAULT 'pending',
  job_id      bigint,  -- skeldir.jobs.id; no foreign key, finished jobs are pruned
  result      jsonb,
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, request_id),
  CHECK (status <> 'completed' OR result IS NOT NULL),
  CHECK (status <> 'failed' OR error IS NOT NULL)
);

COMMENT ON TABLE skeldir.budget_optimization_jobs IS
  'Budget optimizations: inputs, status, recommended allocations; computed by llm.budget_optimization jobs.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.budget_optimization_jobs;
