-- migrate:up
-- Besides the tenant's own users, a user row is visible to the owner (that is,
-- to definer functions) when its email is the one being presented: login must
-- find the user before it knows the tenant. The policy names skeldir_owner so
-- that an analyst setting the same setting sees nothing more.
SET LOCAL ROLE skeldir_owner;

SELECT skeldir.isolate_by_tenant('skeldir.users');
CREATE POLICY presented_email ON skeldir.users FOR SELECT TO skeldir_owner
  USING (email = skeldir.presented_login_email());

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP POLICY presented_email ON skeldir.users;
DROP POLICY tenant_isolation ON skeldir.users;
ALTER TABLE skeldir.users NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
