-- migrate:up
-- Analysts count users and sessions but do not read who they are: the email
-- (a person's address, and the login name) leaves their column grant.
SET LOCAL ROLE skeldir_owner;

REVOKE SELECT (email) ON skeldir.users FROM skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
GRANT SELECT (email) ON skeldir.users TO skeldir_readonly;
