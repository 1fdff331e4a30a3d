-- migrate:up
-- Analysts read reconciliation under RLS, and the platforms it names.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.reconciliation_runs, skeldir.reconciliation_results, skeldir.reconciliation_platform_status,
                skeldir.reconciliation_platforms
  TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.reconciliation_runs, skeldir.reconciliation_results, skeldir.reconciliation_platform_status,
                 skeldir.reconciliation_platforms
  FROM skeldir_readonly;
