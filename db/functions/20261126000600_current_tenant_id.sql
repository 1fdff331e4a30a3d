-- migrate:up
-- The one reader of the tenant context (SPEC §2.2). Every RLS policy calls it.
-- Unset, empty or malformed settings all read as NULL, and `tenant_id = NULL`
-- is never true, so a missing context fails closed with zero rows instead of a
-- cast error. A single SQL-standard expression with no SET clause, so names are
-- bound at creation and the planner inlines it into every policy.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.current_tenant_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
  WHEN current_setting('app.current_tenant_id', true)
       ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  THEN current_setting('app.current_tenant_id', true)::uuid
END;

COMMENT ON FUNCTION skeldir.current_tenant_id() IS
  'Tenant of the current transaction from app.current_tenant_id; NULL when unset, empty or not a UUID.';

-- Analysts query tenant tables directly; their policies evaluate this function.
GRANT EXECUTE ON FUNCTION skeldir.current_tenant_id() TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.current_tenant_id();
