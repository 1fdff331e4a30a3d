-- migrate:up
-- Recurring jobs (SPEC §5, the seed's beat). The daemon holding the
-- scheduler's advisory lock enqueues what is due; a schedule row is locked
-- while it fires and each firing has its own dedupe key, so even two
-- schedulers at once never fire a slot twice.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.schedules (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z_]+$'),
  kind        text NOT NULL REFERENCES skeldir.job_kinds (kind),
  args        jsonb NOT NULL DEFAULT '{}',
  every       interval NOT NULL CHECK (every >= '1 second'),
  next_run_at timestamptz NOT NULL DEFAULT now(),
  enabled     boolean NOT NULL DEFAULT true
);

-- Side effects of the fault-injection kinds, keyed by job: a job that wrote
-- twice would fail on its own primary key.
CREATE TABLE skeldir.job_side_effects (
  job_id     bigint PRIMARY KEY,
  attempt    integer NOT NULL,
  written_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.job_side_effects;
DROP TABLE skeldir.schedules;
