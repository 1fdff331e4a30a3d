-- Who may open replication connections (skeldir.audit_replication(), for
-- admin.audit()): each role with REPLICATION is a login with that attribute
-- and nothing else, and no skeldir_* group role has it. Roles are
-- cluster-wide: every role this suite creates or alters lives only inside
-- its transaction.
BEGIN;
SELECT plan(16);

CREATE FUNCTION pg_temp.replication_row(role text) RETURNS TABLE (detail text, ok boolean)
LANGUAGE sql AS $$
  SELECT a.detail, a.ok FROM skeldir.audit_replication() AS a WHERE a.area = 'replication' AND a.subject = role
$$;

-- Who may call it: admin.audit(), running as skeldir_owner; no caller role.
SELECT is(has_function_privilege('skeldir_owner', 'skeldir.audit_replication()', 'EXECUTE'), true,
  'skeldir_owner (admin.audit()) may run the replication audit');
SELECT is_empty($$
  SELECT r FROM unnest(ARRAY['public', 'skeldir_api', 'skeldir_worker', 'skeldir_admin', 'skeldir_readonly']) AS r
   WHERE has_function_privilege(r, 'skeldir.audit_replication()', 'EXECUTE')
$$, 'neither PUBLIC nor any caller role may run it');

-- The migrated database passes (where `make test` or `make run` created the
-- feed's login, skeldird_feed, it is one of the rows).
SELECT is_empty($$ SELECT area, subject, detail FROM skeldir.audit_replication() WHERE NOT ok $$,
  'on the migrated database every role that may replicate keeps to the rule');
SELECT results_eq($$ SELECT detail, ok FROM skeldir.audit_replication() WHERE area = 'replication_group' $$,
  $$ VALUES ('none has REPLICATION', true) $$,
  'no skeldir_* group role has REPLICATION');
SELECT isnt_empty($$ SELECT FROM skeldir.audit_replication() WHERE area = 'replication_superuser' AND subject = 'postgres' AND ok $$,
  'the bootstrap superuser is listed, not counted against the rule');

-- A change feed login as the README creates it.
CREATE ROLE pgtap_feed LOGIN REPLICATION;
SELECT results_eq($$ SELECT * FROM pg_temp.replication_row('pgtap_feed') $$,
  $$ VALUES ('LOGIN REPLICATION; member of no role; owns 0 objects, named in 0 grants or policies (any database)', true) $$,
  'a login with REPLICATION and nothing else keeps to the rule');

-- Each way of breaking it fails, naming the role.
CREATE ROLE pgtap_worker_feed LOGIN REPLICATION IN ROLE skeldir_worker;
SELECT results_eq($$ SELECT * FROM pg_temp.replication_row('pgtap_worker_feed') $$,
  $$ VALUES ('LOGIN REPLICATION; member of skeldir_worker; owns 0 objects, named in 0 grants or policies (any database)', false) $$,
  'a skeldir_worker member with REPLICATION breaks the rule');
SELECT isnt_empty($$ SELECT FROM skeldir.audit_replication() WHERE NOT ok AND subject = 'pgtap_worker_feed' $$,
  'and the audit names it among its failures');

CREATE ROLE pgtap_reads_all LOGIN REPLICATION IN ROLE pg_read_all_data;
SELECT is((SELECT ok FROM pg_temp.replication_row('pgtap_reads_all')), false,
  'so does membership in any role (pg_read_all_data)');

CREATE ROLE pgtap_createdb LOGIN REPLICATION CREATEDB;
CREATE ROLE pgtap_createrole LOGIN REPLICATION CREATEROLE;
CREATE ROLE pgtap_bypassrls LOGIN REPLICATION BYPASSRLS;
SELECT results_eq($$
  SELECT a.subject, a.ok FROM skeldir.audit_replication() AS a
   WHERE a.subject IN ('pgtap_createdb', 'pgtap_createrole', 'pgtap_bypassrls') ORDER BY a.subject
$$, $$ VALUES ('pgtap_bypassrls', false), ('pgtap_createdb', false), ('pgtap_createrole', false) $$,
  'so does CREATEDB, CREATEROLE or BYPASSRLS beside REPLICATION');

CREATE ROLE pgtap_nologin NOLOGIN REPLICATION;
SELECT is((SELECT ok FROM pg_temp.replication_row('pgtap_nologin')), false,
  'a role with REPLICATION that cannot log in is no feed login');

CREATE ROLE pgtap_owner LOGIN REPLICATION;
CREATE SCHEMA pgtap_owned AUTHORIZATION pgtap_owner;
SELECT results_eq($$ SELECT * FROM pg_temp.replication_row('pgtap_owner') $$,
  $$ VALUES ('LOGIN REPLICATION; member of no role; owns 1 objects, named in 0 grants or policies (any database)', false) $$,
  'a replication login that owns an object breaks the rule');

CREATE ROLE pgtap_granted LOGIN REPLICATION;
GRANT USAGE ON SCHEMA skeldir TO pgtap_granted;
SELECT is((SELECT ok FROM pg_temp.replication_row('pgtap_granted')), false,
  'so does one that holds a grant');

-- A group role with the attribute.
ALTER ROLE skeldir_worker REPLICATION;
SELECT results_eq($$ SELECT detail, ok FROM skeldir.audit_replication() WHERE area = 'replication_group' $$,
  $$ VALUES ('REPLICATION: skeldir_worker', false) $$,
  'a skeldir_* group role with REPLICATION breaks the rule, named');
SELECT is((SELECT ok FROM pg_temp.replication_row('skeldir_worker')), false,
  'and is itself no feed login');

-- Superusers replicate regardless: listed apart, not judged.
CREATE ROLE pgtap_super LOGIN SUPERUSER REPLICATION;
SELECT results_eq($$ SELECT area, ok FROM skeldir.audit_replication() WHERE subject = 'pgtap_super' $$,
  $$ VALUES ('replication_superuser', true) $$,
  'a second superuser is listed as such');

SELECT * FROM finish();
ROLLBACK;
