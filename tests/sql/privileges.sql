-- Least privilege (SPEC §2.1), proved by walking the catalog: every relation
-- and function in every non-system schema, against every caller role.
BEGIN;
SELECT plan(8);

-- Relations that extensions (pgTAP's views) bring keep their own ACLs.
CREATE TEMP VIEW user_relation AS
  SELECT c.oid, c.relkind, c.relacl
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     AND NOT EXISTS (SELECT FROM pg_depend AS d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e');

CREATE TEMP VIEW caller (rolname, own_schema) AS
  VALUES ('skeldir_api', 'api'), ('skeldir_worker', 'worker'), ('skeldir_admin', 'admin');

-- Functions that extensions (pgcrypto, pgTAP) bring keep their own ACLs.
CREATE TEMP VIEW user_function AS
  SELECT p.oid, p.prosecdef, n.oid AS nsp, n.nspname
    FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
   WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
     AND NOT EXISTS (SELECT FROM pg_depend AS d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e');

SELECT cmp_ok((SELECT count(*) FROM user_relation WHERE relkind IN ('r', 'p')), '>=', 5::bigint,
  'the walk sees the application''s tables');

SELECT is_empty($$
  SELECT r.rolname, c.oid::regclass, p.privilege
    FROM user_relation AS c CROSS JOIN caller AS r
   CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) AS p(privilege)
   WHERE c.relkind <> 'S' AND has_any_column_privilege(r.rolname, c.oid, p.privilege)
  UNION ALL
  SELECT r.rolname, c.oid::regclass, p.privilege
    FROM user_relation AS c CROSS JOIN caller AS r
   CROSS JOIN unnest(ARRAY['DELETE', 'TRUNCATE', 'TRIGGER']) AS p(privilege)
   WHERE c.relkind <> 'S' AND has_table_privilege(r.rolname, c.oid, p.privilege)
$$, 'caller roles hold no privilege on any table, view or column');

SELECT is_empty($$
  SELECT r.rolname, c.oid::regclass, p.privilege
    FROM user_relation AS c CROSS JOIN caller AS r
   CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p(privilege)
   WHERE c.relkind = 'S' AND has_sequence_privilege(r.rolname, c.oid, p.privilege)
$$, 'caller roles hold no privilege on any sequence');

SELECT is_empty($$
  SELECT c.oid::regclass, a.privilege_type
    FROM user_relation AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
   WHERE a.grantee = 0
$$, 'PUBLIC holds no privilege on any relation');

SELECT is_empty($$
  SELECT c.oid::regclass, p.privilege
    FROM user_relation AS c
   CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
   WHERE c.relkind <> 'S' AND has_table_privilege('skeldir_readonly', c.oid, p.privilege)
$$, 'the read-only role can only read');

SELECT cmp_ok((SELECT count(*) FROM user_function WHERE nspname IN ('api', 'admin')), '>=', 2::bigint,
  'the walk sees the entry points');

SELECT is_empty($$
  SELECT r.rolname, f.oid::regprocedure
    FROM user_function AS f CROSS JOIN caller AS r
   WHERE f.nspname <> r.own_schema AND has_function_privilege(r.rolname, f.oid, 'EXECUTE')
$$, 'each caller role may execute functions of its own schema only');

SELECT is_empty($$
  SELECT r.rolname, f.oid::regprocedure
    FROM user_function AS f JOIN caller AS r ON r.own_schema = f.nspname
   WHERE NOT (has_schema_privilege(r.rolname, f.nsp, 'USAGE')
              AND has_function_privilege(r.rolname, f.oid, 'EXECUTE'))
$$, 'each caller role executes every function of its own schema');

SELECT * FROM finish();
ROLLBACK;
