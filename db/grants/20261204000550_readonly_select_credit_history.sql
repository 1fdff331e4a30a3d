-- migrate:up
-- Analysts read the history of their tenant's credits, as they read the
-- credits (20261126006250).
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.attribution_credit_history TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.attribution_credit_history FROM skeldir_readonly;
