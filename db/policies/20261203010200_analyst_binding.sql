-- migrate:up
-- Analysts read their bound tenant only. On every tenant table, a
-- restrictive policy for skeldir_readonly (so for its member logins, not for
-- the runtime roles or the definer functions) adds to the tenant policy
-- that the row's tenant is the one bound to the login: naming another
-- tenant in app.current_tenant_id then shows nothing. Applied to every table
-- skeldir.tenant_tables() finds; the audit's analyst rule fails for a tenant
-- table created later without it.
SET LOCAL ROLE skeldir_owner;

DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT * FROM skeldir.tenant_tables() LOOP
    EXECUTE format('CREATE POLICY analyst_binding ON %s AS RESTRICTIVE FOR SELECT TO skeldir_readonly
                      USING (%I = (SELECT skeldir.analyst_tenant()))',
                   t, CASE WHEN t = 'skeldir.tenants'::regclass THEN 'id' ELSE 'tenant_id' END);
  END LOOP;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT * FROM skeldir.tenant_tables() LOOP
    EXECUTE format('DROP POLICY IF EXISTS analyst_binding ON %s', t);
  END LOOP;
END
$$;
