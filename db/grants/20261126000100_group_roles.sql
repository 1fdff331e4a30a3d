-- migrate:up
-- The five group roles of SPEC §2.1. Roles are cluster-wide, so creation is
-- idempotent: a second database in the same cluster finds them already there.
-- None can log in and none has a password; deployments create login roles that
-- are members of exactly one of these.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['skeldir_owner', 'skeldir_api', 'skeldir_worker',
                           'skeldir_admin', 'skeldir_readonly'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END
$$;

-- Every later migration runs `SET LOCAL ROLE skeldir_owner` so that the owner
-- owns what it creates; the migrating user must therefore be able to become it.
DO $$
BEGIN
  IF NOT pg_catalog.pg_has_role(current_user, 'skeldir_owner', 'MEMBER') THEN
    EXECUTE pg_catalog.format('GRANT skeldir_owner TO %I', current_user);
  END IF;
  EXECUTE pg_catalog.format('GRANT CREATE ON DATABASE %I TO skeldir_owner',
                            pg_catalog.current_database());
END
$$;

-- dbmate records each migration in this table inside the migration's own
-- transaction, i.e. as skeldir_owner once the role is set.
ALTER TABLE public.schema_migrations OWNER TO skeldir_owner;

-- migrate:down
ALTER TABLE public.schema_migrations OWNER TO CURRENT_USER;
