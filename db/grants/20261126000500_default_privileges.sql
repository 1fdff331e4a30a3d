-- migrate:up
-- Functions are executable by nobody unless granted, and every function in a
-- caller schema is executable by exactly that caller. Granting here, once, is
-- what makes a forgotten grant (the seed's 500s) impossible: a new api function
-- is callable by skeldir_api the moment it exists, and by nobody else.
-- Tables and sequences get no default grants at all.
SET LOCAL ROLE skeldir_owner;

ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA api
  GRANT EXECUTE ON FUNCTIONS TO skeldir_api;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA worker
  GRANT EXECUTE ON FUNCTIONS TO skeldir_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA admin
  GRANT EXECUTE ON FUNCTIONS TO skeldir_admin;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA admin
  REVOKE EXECUTE ON FUNCTIONS FROM skeldir_admin;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA worker
  REVOKE EXECUTE ON FUNCTIONS FROM skeldir_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner IN SCHEMA api
  REVOKE EXECUTE ON FUNCTIONS FROM skeldir_api;
ALTER DEFAULT PRIVILEGES FOR ROLE skeldir_owner
  GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
