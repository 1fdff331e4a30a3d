-- migrate:up
-- The daily revenue view is refreshed from the revenue of record, which
-- reads the platforms' sides; analysts read it under RLS, like the ledger.
SET LOCAL ROLE skeldir_owner;
GRANT SELECT ON skeldir.revenue_of_record, skeldir.reconciliation_platforms TO skeldir_analytics;
GRANT SELECT ON skeldir.revenue_of_record TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.revenue_of_record FROM skeldir_readonly;
REVOKE SELECT ON skeldir.revenue_of_record, skeldir.reconciliation_platforms FROM skeldir_analytics;
