-- migrate:up
-- skeldir.current_tenant_id costs little enough to be evaluated per row
-- (issue 16): the tenant policies call it directly (20261204070600), as
-- Citus admits no subquery in a policy, so a scan that filters by policy
-- calls it for every row it reads, where the sub-select called it once.
-- Its regular expression cost 3.8 µs a row (300,000 rows: 1,147 ms, against
-- 18 ms called once and 117 ms for a bare cast; one read of the setting is
-- most of the rest). It now answers a value of 36 characters by casting it,
-- and anything else (unset, empty, another length) with NULL: a context of
-- 36 characters that is not a UUID is an error, which fails closed as NULL
-- does. Every entry point sets a UUID it resolved or nothing.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.current_tenant_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN length(current_setting('app.current_tenant_id', true)) = 36
              THEN current_setting('app.current_tenant_id', true)::uuid END
$$;

COMMENT ON FUNCTION skeldir.current_tenant_id() IS
  'Tenant of the current transaction from app.current_tenant_id; NULL when unset, empty or not 36 characters long.';

-- migrate:down
-- (Forward only, README "Migrations": skeldir.current_tenant_id keeps this
-- body; 20261204070300 defines the one before.)
SELECT 1;
