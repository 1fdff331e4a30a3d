-- migrate:up
-- Analysts read ad spend under RLS, like the books it is compared with.
SET LOCAL ROLE skeldir_owner;
GRANT SELECT ON skeldir.ad_spend TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.ad_spend FROM skeldir_readonly;
