-- migrate:up
-- The materialized views of SPEC §6.1 hold every tenant's rows, so their
-- refresh must see every tenant although RLS is forced on the tables they
-- read. REFRESH runs the view's query as the view's owner: that owner is
-- this role, NOLOGIN and BYPASSRLS, whose only member is skeldir_owner (who
-- owns those tables anyway) and which owns nothing but the views. Reads of
-- the views go through api functions that filter by the caller's tenant.
-- Creating a BYPASSRLS role takes a superuser; like the group roles, it is
-- created once per cluster.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'skeldir_analytics') THEN
    CREATE ROLE skeldir_analytics NOLOGIN BYPASSRLS;
  END IF;
END
$$;
GRANT skeldir_analytics TO skeldir_owner;

-- migrate:down
REVOKE skeldir_analytics FROM skeldir_owner;
