-- migrate:up
-- Data retention (SPEC §5) as data, not code: each rule names a tenant table,
-- the column that says how old a row is, how long to keep it and, optionally,
-- the statuses a row must be in before it may go (only closed remediations,
-- never open ones). housekeeping.retention applies every enabled rule to
-- every tenant, batch_size rows per statement. A trigger
-- (skeldir.check_retention_rule) refuses rules that point at anything else.
--
-- The books are never pruned: attribution_events and revenue_ledger are
-- append-only (a trigger refuses DELETE even to the owner), they are what
-- revenue and attribution are computed from, and a rule for them is refused.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.retention_rules (
  name          text PRIMARY KEY CHECK (name ~ '^[a-z_]+$'),
  table_name    regclass NOT NULL,
  age_column    name NOT NULL,
  keep          interval NOT NULL CHECK (keep >= interval '1 day'),
  status_column name,
  statuses      text[] CHECK (cardinality(statuses) > 0),
  batch_size    integer NOT NULL DEFAULT 1000 CHECK (batch_size BETWEEN 1 AND 100000),
  enabled       boolean NOT NULL DEFAULT true,
  CHECK ((status_column IS NULL) = (statuses IS NULL))
);

COMMENT ON TABLE skeldir.retention_rules IS
  'What housekeeping.retention prunes from each tenant: rows of table_name older than keep (by age_column), optionally only in statuses.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.retention_rules;
