-- migrate:up
-- The work queue (SPEC §5): the bounded set of queues, the job kinds that
-- may run on them, and the jobs. A job kind is a SQL function in schema
-- worker; this table says which, on which queue, within which limits. A job
-- for an unknown kind cannot exist (foreign key), so nothing is parked
-- silently.
--
-- jobs is not a tenant table: the dispatcher claims across tenants. A job
-- for a tenant names it in tenant_scope, and its body runs inside that
-- tenant's context, under the tenant tables' own RLS.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.queue AS ENUM ('housekeeping', 'maintenance', 'llm', 'attribution');
CREATE TYPE skeldir.job_state AS ENUM ('available', 'running', 'completed', 'dead');

CREATE TABLE skeldir.job_kinds (
  kind          text PRIMARY KEY CHECK (kind ~ '^[a-z_]+\.[a-z_]+$'),
  queue         skeldir.queue NOT NULL,
  body          regproc NOT NULL,                    -- worker.<fn>(args jsonb) RETURNS void
  soft_limit    interval NOT NULL DEFAULT '300 seconds',
  hard_limit    interval NOT NULL DEFAULT '360 seconds',  -- the lease
  max_attempts  integer NOT NULL DEFAULT 4 CHECK (max_attempts >= 1),  -- 1 + 3 retries
  backoff_base  interval NOT NULL DEFAULT '1 second',
  batchable     boolean NOT NULL DEFAULT false,      -- short enough to run many in one transaction
  fault         boolean NOT NULL DEFAULT false,      -- fault injection: enqueued only when enabled
  on_failure    regproc,  -- skeldir.<fn>(job skeldir.jobs, outcome text), called where a failed attempt is settled
  CHECK (hard_limit > soft_limit)
);

CREATE TABLE skeldir.jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL REFERENCES skeldir.job_kinds (kind),
  queue         skeldir.queue NOT NULL,
  args          jsonb NOT NULL DEFAULT '{}',
  tenant_scope  uuid REFERENCES skeldir.tenants (id),
  state         skeldir.job_state NOT NULL DEFAULT 'available',
  dedupe_key    text,
  attempt       integer NOT NULL DEFAULT 0,
  run_at        timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  leased_by     text,
  leased_until  timestamptz,
  last_error    text
);

-- Claiming: the next available jobs of a queue, in order.
CREATE INDEX jobs_available_idx ON skeldir.jobs (queue, run_at, id) WHERE state = 'available';
-- The reaper: running jobs by lease expiry.
CREATE INDEX jobs_running_idx ON skeldir.jobs (leased_until) WHERE state = 'running';
-- At most one pending job per dedupe key.
-- At most one pending job per dedupe key. A running job does not count: it
-- may have read its inputs before the change that asks for it again.
CREATE UNIQUE INDEX jobs_dedupe_key ON skeldir.jobs (dedupe_key) WHERE state = 'available';

COMMENT ON TABLE skeldir.jobs IS 'The work queue. Written only through worker.* functions.';

-- Fault injection (SPEC §5) is off unless an operator turns it on.
CREATE TABLE skeldir.fault_injection (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  enabled   boolean NOT NULL DEFAULT false
);
INSERT INTO skeldir.fault_injection DEFAULT VALUES;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.fault_injection;
DROP TABLE skeldir.jobs;
DROP TABLE skeldir.job_kinds;
DROP TYPE skeldir.job_state;
DROP TYPE skeldir.queue;
