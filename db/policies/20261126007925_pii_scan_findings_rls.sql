-- migrate:up
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.pii_scan_findings');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_isolation ON skeldir.pii_scan_findings;
ALTER TABLE skeldir.pii_scan_findings NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
