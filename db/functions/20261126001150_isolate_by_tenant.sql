-- migrate:up
-- The one way a table becomes a tenant table: RLS enabled and forced (so the
-- owner, and with it every definer function, is confined too) and a single
-- policy, for every command, that a row belongs to the current tenant. The
-- helper sits in a sub-select so that it is evaluated once per query (an
-- InitPlan) rather than once per row: half the cost of a large scan.
-- Migrations call it; `skeldird audit` and tests/sql/rls.sql check its work.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.isolate_by_tenant(tbl regclass, key_column name DEFAULT 'tenant_id')
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (%2$I = (SELECT skeldir.current_tenant_id()))'
                 ' WITH CHECK (%2$I = (SELECT skeldir.current_tenant_id()))', tbl, key_column);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.isolate_by_tenant(regclass, name);
