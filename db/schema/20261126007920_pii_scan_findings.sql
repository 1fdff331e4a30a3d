-- migrate:up
-- What the daily PII scan (SPEC §4.4) found at rest: per tenant, scan and
-- JSON column, how many rows hold a PII key and which keys. Only counts and
-- key names (always from skeldir.pii_keys()) are kept, never a value. A scan
-- is keyed by its job, so a retried job refreshes its own rows instead of
-- adding more; every other scan adds a snapshot, pruned by retention.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.pii_scan_findings (
  tenant_id     uuid NOT NULL REFERENCES skeldir.tenants (id),
  job_id        bigint NOT NULL,
  table_name    text NOT NULL,
  column_name   text NOT NULL,
  scanned_at    timestamptz NOT NULL DEFAULT now(),
  rows_with_pii bigint NOT NULL CHECK (rows_with_pii >= 0),
  pii_keys      text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, job_id, table_name, column_name)
);

-- Retention prunes by age within a tenant.
CREATE INDEX pii_scan_findings_scanned_at_idx ON skeldir.pii_scan_findings (tenant_id, scanned_at);

COMMENT ON TABLE skeldir.pii_scan_findings IS
  'PII scan results per tenant, scan job and JSON column: counts and key names, never values.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.pii_scan_findings;
