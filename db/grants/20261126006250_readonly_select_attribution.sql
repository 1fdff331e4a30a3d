-- migrate:up
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.attribution_credits, skeldir.attribution_allocations TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.attribution_credits, skeldir.attribution_allocations FROM skeldir_readonly;
