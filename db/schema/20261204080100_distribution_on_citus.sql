-- migrate:up
-- Where each table lives on Citus, decided in the schema (issue 16), by one
-- function that this migration calls when the database has the citus
-- extension and does nothing without it. A later migration that adds a
-- table calls it again: it distributes only what Citus does not hold yet.
-- (make test-citus distributed the tables from its shell script; the rule
-- is the same, with one change: the tenants and their credentials are
-- reference tables.)
--
-- - Reference tables (a copy on every node, read where the query runs):
--   the lookups the tenant tables' foreign keys reach (currencies, the
--   channel taxonomy, LLM models, reconciliation platforms), and the tables
--   a request reads before it knows its tenant: skeldir.tenants, the API
--   keys and the webhook URL tokens. A key or a token is then found on the
--   coordinator that received the request, without asking every shard;
--   they change when a tenant is created or a credential rotated, which
--   Citus writes on every node. (Logins and refresh tokens, which also
--   arrive without a tenant, ask every shard: they are rare.)
-- - Distributed by tenant_id, co-located (32 shards each, by default):
--   every other table of schema skeldir with a tenant_id column. A tenant's
--   rows of all of them are on one node, so a statement that names its
--   tenant runs on that node only.
-- - Everything else stays on the coordinator: the queue, leases, schedules,
--   the change feed's state, keys of the daemon. Tables that reference a
--   reference table become Citus local tables (channel rules, LLM
--   settings), as Citus requires.
--
-- Citus distributes a table with foreign keys only when what they reference
-- is already distributed in a compatible way, and converts a local table
-- that references a new reference table, which the materialized views over
-- such tables refuse. So the foreign keys among the tables it will hold are
-- dropped first, the tables distributed, and the keys added again as
-- pg_get_constraintdef gave them. The append-only, PII and credit-sum
-- triggers run on the shards: distribution runs with
-- citus.enable_unsafe_triggers, for the transaction. It runs as the
-- migrating superuser (Citus needs the tables' owners or a superuser, and
-- the books tables belong to skeldir_books): EXECUTE is revoked from
-- PUBLIC.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.distribute_on_citus() RETURNS TABLE (relation regclass, placement text)
LANGUAGE plpgsql
AS $$
DECLARE
  tenant_keyed CONSTANT regclass[] := ARRAY['skeldir.tenants', 'skeldir.tenant_api_keys',
                                            'skeldir.tenant_webhook_tokens']::regclass[];
  key record;
  t regclass;
  anchor regclass;
  dropped text[] := '{}';
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN;
  END IF;
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  PERFORM set_config('client_min_messages', 'warning', true);

  -- What Citus will hold: the tenant tables (skeldir.tenants and every table
  -- of schema skeldir with tenant_id), and the tables their foreign keys
  -- reach, whatever reaches them.
  CREATE TEMP TABLE pg_temp.held ON COMMIT DROP AS
    WITH RECURSIVE tenant AS (
      SELECT c.oid FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname = 'skeldir' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND (c.oid = 'skeldir.tenants'::regclass
              OR EXISTS (SELECT 1 FROM pg_attribute AS a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))),
    lookup AS (
      SELECT k.confrelid AS oid FROM pg_constraint AS k
       WHERE k.contype = 'f' AND k.conrelid IN (SELECT oid FROM tenant) AND k.confrelid NOT IN (SELECT oid FROM tenant)
      UNION
      SELECT k.confrelid FROM pg_constraint AS k JOIN lookup AS l ON k.conrelid = l.oid
       WHERE k.contype = 'f' AND k.confrelid NOT IN (SELECT oid FROM tenant))
    SELECT h.oid::regclass AS relation,
           CASE WHEN h.oid IN (SELECT oid FROM lookup) OR h.oid = ANY (tenant_keyed) THEN 'reference'
                ELSE 'distributed' END AS placement
      FROM (SELECT oid FROM tenant UNION SELECT oid FROM lookup) AS h
     WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = h.oid);

  -- The foreign keys that touch a table to distribute, among held tables.
  FOR key IN
    SELECT k.conrelid::regclass AS tbl, k.conname, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint AS k
     WHERE k.contype = 'f'
       AND (k.conrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR k.confrelid IN (SELECT h.relation FROM pg_temp.held AS h))
       AND (k.conrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = k.conrelid))
       AND (k.confrelid IN (SELECT h.relation FROM pg_temp.held AS h)
            OR EXISTS (SELECT 1 FROM pg_dist_partition AS d WHERE d.logicalrelid = k.confrelid))
     ORDER BY k.oid
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', key.tbl, key.conname);
    dropped := dropped || format('ALTER TABLE %s ADD CONSTRAINT %I %s', key.tbl, key.conname, key.def);
  END LOOP;

  FOR t IN SELECT h.relation FROM pg_temp.held AS h WHERE h.placement = 'reference' ORDER BY h.relation::oid LOOP
    PERFORM create_reference_table(t);
  END LOOP;
  -- Co-located with the tenant tables Citus already holds, else with the
  -- first one distributed here.
  anchor := (SELECT d.logicalrelid FROM pg_dist_partition AS d
              JOIN pg_namespace AS n ON n.oid = (SELECT c.relnamespace FROM pg_class AS c WHERE c.oid = d.logicalrelid)
             WHERE n.nspname = 'skeldir' AND d.partmethod = 'h'
             ORDER BY d.logicalrelid::oid LIMIT 1);
  FOR t IN SELECT h.relation FROM pg_temp.held AS h WHERE h.placement = 'distributed' ORDER BY h.relation::oid LOOP
    IF anchor IS NULL THEN
      PERFORM create_distributed_table(t, 'tenant_id');
      anchor := t;
    ELSE
      PERFORM create_distributed_table(t, 'tenant_id', colocate_with => anchor::text);
    END IF;
  END LOOP;
  FOREACH key.def IN ARRAY dropped LOOP
    EXECUTE key.def;
  END LOOP;

  RETURN QUERY SELECT h.relation, h.placement FROM pg_temp.held AS h ORDER BY h.relation::oid;
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.distribute_on_citus() FROM PUBLIC;

COMMENT ON FUNCTION skeldir.distribute_on_citus() IS
  'On Citus, distributes what it does not hold yet: tenant tables by tenant_id (co-located), tenants, their keys and webhook tokens and the lookups as reference tables; returns each table it placed. Nothing without the extension.';

RESET ROLE;
SELECT count(*) AS placed FROM skeldir.distribute_on_citus();

-- migrate:down
-- (Forward only, README "Migrations".)
