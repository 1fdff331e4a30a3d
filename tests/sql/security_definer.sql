-- SPEC §2.1: every SECURITY DEFINER function, wherever it lives, is owned by
-- skeldir_owner, pins its search_path, is closed to PUBLIC and is granted to
-- exactly one caller role.
BEGIN;
SELECT plan(5);

-- One row per definer function and entry of its ACL.
CREATE TEMP VIEW definer AS
  SELECT p.oid, p.proowner, p.proconfig, a.grantee, a.privilege_type
    FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
   CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
   WHERE p.prosecdef AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

SELECT cmp_ok((SELECT count(DISTINCT oid) FROM definer), '>=', 4::bigint,
  'the walk sees the definer functions');

SELECT is_empty($$
  SELECT DISTINCT oid::regprocedure, pg_get_userbyid(proowner) FROM definer
   WHERE pg_get_userbyid(proowner) <> 'skeldir_owner'
$$, 'every definer function is owned by skeldir_owner');

SELECT is_empty($$
  SELECT DISTINCT d.oid::regprocedure, d.proconfig FROM definer AS d
   WHERE NOT EXISTS (SELECT FROM unnest(d.proconfig) AS c
                      WHERE c ~ '^search_path=(.*, )?pg_temp$' AND c !~ '(public|\$user)')
$$, 'every definer function pins search_path without public, with pg_temp last');

SELECT is_empty($$
  SELECT oid::regprocedure FROM definer
   WHERE grantee = 0 AND privilege_type = 'EXECUTE'
$$, 'no definer function is executable by PUBLIC');

SELECT is_empty($$
  SELECT d.oid::regprocedure,
         array_remove(array_agg(CASE WHEN d.privilege_type = 'EXECUTE' AND d.grantee <> d.proowner
                                     THEN d.grantee::regrole::text END), NULL) AS grantees
    FROM definer AS d
   GROUP BY d.oid
  HAVING array_remove(array_agg(CASE WHEN d.privilege_type = 'EXECUTE' AND d.grantee <> d.proowner
                                     THEN d.grantee::regrole::text END), NULL)
         NOT IN (ARRAY['skeldir_api'], ARRAY['skeldir_worker'], ARRAY['skeldir_admin'], ARRAY['skeldir_readonly'])
$$, 'every definer function is granted to exactly one caller role (analysts: the binding their policies read)');

SELECT * FROM finish();
ROLLBACK;
