-- migrate:up
-- Schemas are the API boundary (SPEC §2.1): tables live in skeldir; entry
-- points live in the schema named for their caller; extensions stay apart so
-- that nobody's search_path picks them up by accident.
SET LOCAL ROLE skeldir_owner;

CREATE SCHEMA skeldir;
COMMENT ON SCHEMA skeldir IS 'Tables and internal helpers. No runtime role may use it.';
CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'Entry points called by the HTTP daemon (role skeldir_api).';
CREATE SCHEMA worker;
COMMENT ON SCHEMA worker IS 'Entry points called by the work loop (role skeldir_worker).';
CREATE SCHEMA admin;
COMMENT ON SCHEMA admin IS 'Entry points called by operators through skeldird (role skeldir_admin).';
CREATE SCHEMA extensions;
COMMENT ON SCHEMA extensions IS 'Extensions, always called schema-qualified.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP SCHEMA extensions, admin, worker, api, skeldir;
