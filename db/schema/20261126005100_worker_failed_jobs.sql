-- migrate:up
-- Jobs that used up their attempts (SPEC §5), for operators, under RLS.
-- Jobs without a tenant of their own fail under the system tenant.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.worker_failed_jobs (
  tenant_id     uuid NOT NULL REFERENCES skeldir.tenants (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  job_id        bigint NOT NULL,
  task          text NOT NULL,
  queue         skeldir.queue NOT NULL,
  args          jsonb NOT NULL,
  error_class   text NOT NULL,
  error_message text NOT NULL,
  retry_count   integer NOT NULL,
  status        skeldir.remediation_status NOT NULL DEFAULT 'pending',
  failed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, job_id)
);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.worker_failed_jobs;
