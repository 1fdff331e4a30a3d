-- migrate:up
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.tenants (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE skeldir.tenants IS
  'One row per customer account. The root of every tenant_id foreign key.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.tenants;
