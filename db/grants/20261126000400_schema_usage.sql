-- migrate:up
-- Each caller role may reach its own schema and nothing else. PUBLIC loses
-- CREATE on public so no role can plant objects on anyone's search_path.
SET LOCAL ROLE skeldir_owner;

REVOKE ALL ON SCHEMA skeldir, api, worker, admin, extensions FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO skeldir_api;
GRANT USAGE ON SCHEMA worker TO skeldir_worker;
GRANT USAGE ON SCHEMA admin TO skeldir_admin;
-- Analysts read tenant tables directly, under RLS.
GRANT USAGE ON SCHEMA skeldir TO skeldir_readonly;

RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE USAGE ON SCHEMA api FROM skeldir_api;
REVOKE USAGE ON SCHEMA worker FROM skeldir_worker;
REVOKE USAGE ON SCHEMA admin FROM skeldir_admin;
REVOKE USAGE ON SCHEMA skeldir FROM skeldir_readonly;
