-- migrate:up
-- The tenant that owns Skeldir's own work: jobs that serve no customer (the
-- lease reaper, probes) fail under it, so every failure has a tenant and RLS
-- applies to all of them.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.system_tenant() RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '00000000-0000-0000-0000-000000000000'::uuid;

SELECT set_config('app.current_tenant_id', skeldir.system_tenant()::text, true);
INSERT INTO skeldir.tenants (id, name) VALUES (skeldir.system_tenant(), 'system');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
SELECT set_config('app.current_tenant_id', skeldir.system_tenant()::text, true);
DELETE FROM skeldir.tenants WHERE id = skeldir.system_tenant();
DROP FUNCTION skeldir.system_tenant();
