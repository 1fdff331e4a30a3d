-- migrate:up
-- Analysts read a tenant's scan results under RLS.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.pii_scan_findings TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.pii_scan_findings FROM skeldir_readonly;
