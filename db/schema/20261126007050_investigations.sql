-- migrate:up
-- Asynchronous investigations (SPEC §6.3, contract llm-investigations): the
-- question and its context, the llm job that answers it, and the result.
-- request_id is the one LLM request the job makes, however often it runs;
-- a caller may also pass it to make starting an investigation idempotent.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.investigations (
  tenant_id   uuid NOT NULL REFERENCES skeldir.tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id  uuid NOT NULL,
  question    text NOT NULL CHECK (length(question) BETWEEN 10 AND 500),
  context     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
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

COMMENT ON TABLE skeldir.investigations IS
  'Investigations: question, context, status, result; answered by llm.investigation jobs.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.investigations;
