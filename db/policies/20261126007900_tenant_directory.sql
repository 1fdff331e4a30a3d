-- migrate:up
-- Jobs the scheduler fires for every tenant (retention, the PII scan) run with
-- no tenant and must visit each tenant under its own context. They can only do
-- that if something lists the tenants, and FORCE RLS on skeldir.tenants hides
-- every row from the owner too. The system tenant, which owns Skeldir's own
-- work, therefore sees the directory of tenants (ids and names, none of their
-- data), and only code running as the owner does: an analyst who sets the
-- system tenant's well-known id still sees only the system tenant's row.
-- Read it through skeldir.tenant_ids(), never by entering the system tenant.
SET LOCAL ROLE skeldir_owner;

CREATE POLICY tenant_directory ON skeldir.tenants FOR SELECT TO skeldir_owner
  USING ((SELECT skeldir.current_tenant_id()) = skeldir.system_tenant());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY tenant_directory ON skeldir.tenants;
