-- migrate:up
-- Analysts read tenant data directly, under RLS (they set app.current_tenant_id
-- themselves), and the shared reference tables. Credentials are not theirs to
-- read: tenant_api_keys and tenant_webhook_secrets are granted to nobody.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.tenants, skeldir.channel_taxonomy, skeldir.channel_rules
  TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.tenants, skeldir.channel_taxonomy, skeldir.channel_rules
  FROM skeldir_readonly;
