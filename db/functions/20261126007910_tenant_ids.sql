-- migrate:up
-- Every tenant, the system tenant included, for jobs that visit them one by
-- one (each under its own context, so FORCE RLS still confines every read and
-- write). The caller's tenant context is left as it was.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.tenant_ids() RETURNS uuid[]
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  ids uuid[];
BEGIN
  PERFORM set_config('app.current_tenant_id', skeldir.system_tenant()::text, true);
  ids := ARRAY(SELECT t.id FROM skeldir.tenants AS t ORDER BY t.id);
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  RETURN ids;
END
$$;
COMMENT ON FUNCTION skeldir.tenant_ids() IS
  'Ids of all tenants (through the system tenant''s tenant_directory policy); the caller''s context is kept.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.tenant_ids();
