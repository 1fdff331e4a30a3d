-- migrate:up
-- On Citus, the workers' copies of the functions carry the coordinator's
-- grants (issue 16). Citus creates a function on the workers when a table
-- it distributes depends on it, and later ones as they are created, but
-- without the REVOKE and GRANT statements that came before: 207 of the 224
-- functions on each worker were executable by PUBLIC, the definer
-- functions of admin and worker among them (security_definer.sql and
-- privileges.sql run on a worker's database, make test-citus), so any
-- login that reaches a worker could call them there. A GRANT or REVOKE on
-- a function Citus knows is carried to the workers: for every function of
-- the five schemas that Citus holds, its privileges are given again on the
-- coordinator as they stand there (PUBLIC's taken away, each grantee's
-- EXECUTE given), which sets them on every node.
-- skeldir.distribute_on_citus does it after distributing, and this
-- migration calls it; it does nothing without the extension.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.copy_function_grants_to_workers() RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  f record;
  grantee text;
  copied integer := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN 0;
  END IF;
  FOR f IN
    SELECT p.oid::regprocedure AS routine, p.proacl, p.proowner
      FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('skeldir', 'api', 'worker', 'admin', 'analytics') AND p.proacl IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_dist_object AS o WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid)
       -- (not those this transaction created or replaced: Citus carried
       -- their statements as they ran, and a GRANT on them now deadlocks
       -- with that connection)
       AND age(p.xmin) > 0
     ORDER BY p.oid
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.routine);
    FOR grantee IN
      SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM aclexplode(f.proacl) AS a LEFT JOIN pg_roles AS r ON r.oid = a.grantee
       WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> f.proowner
    LOOP
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', f.routine, grantee);
    END LOOP;
    copied := copied + 1;
  END LOOP;
  RETURN copied;
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.copy_function_grants_to_workers() FROM PUBLIC;

COMMENT ON FUNCTION skeldir.copy_function_grants_to_workers() IS
  'On Citus, gives every function of the five schemas that Citus holds its coordinator privileges again, which Citus carries to the workers; returns how many. Nothing without the extension.';

CREATE OR REPLACE FUNCTION skeldir.distribute_on_citus() RETURNS TABLE (relation regclass, placement text)
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
  PERFORM skeldir.copy_function_grants_to_workers();

  RETURN QUERY SELECT h.relation, h.placement FROM pg_temp.held AS h ORDER BY h.relation::oid;
END
$$;


RESET ROLE;
SELECT count(*) AS placed FROM skeldir.distribute_on_citus();

-- migrate:down
-- (Forward only, README "Migrations": skeldir.distribute_on_citus keeps this
-- body; 20261204080100 defines the one before.)
