-- migrate:up
-- Which tenant each analyst login may read. An analyst (a login in
-- skeldir_readonly) used to see whichever tenant it named in
-- app.current_tenant_id, a setting it controls; now the policies also
-- require the tenant an operator bound to the login here
-- (skeldird analyst grant / revoke). Operator configuration, keyed by login
-- like a role attribute, not tenant data: it has no tenant_id column and no
-- foreign key to tenants, and only the owner reads it.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.analyst_logins (
  login      name PRIMARY KEY,
  tenant     uuid NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON skeldir.analyst_logins FROM PUBLIC;

COMMENT ON TABLE skeldir.analyst_logins IS
  'The one tenant each analyst login (a member of skeldir_readonly) may read; unbound logins read nothing.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.analyst_logins;
