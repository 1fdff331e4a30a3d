-- migrate:up
-- Analysts read realtime revenue under RLS, like the ledger it sums.
SET LOCAL ROLE skeldir_owner;
GRANT SELECT ON skeldir.realtime_revenue TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.realtime_revenue FROM skeldir_readonly;
