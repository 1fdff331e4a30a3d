-- Data retention and the PII scan (SPEC §4.4, §5): both run daily with no
-- tenant, visit every tenant under its own context, and are harmless to
-- repeat. Retention deletes what its rules name and nothing else, never the
-- books; the scan reports PII at rest per tenant, without the values.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(24);

SELECT skeldir.system_tenant() AS system_tenant \gset

-- Schedules and kinds.
SELECT results_eq($$
  SELECT s.name, s.kind, s.every, s.enabled, k.queue::text, k.batchable, k.body::text
    FROM skeldir.schedules AS s JOIN skeldir.job_kinds AS k ON k.kind = s.kind
   WHERE s.kind IN ('housekeeping.retention', 'maintenance.pii_scan') ORDER BY s.name
$$, $$ VALUES ('data_retention', 'housekeeping.retention', interval '1 day', true, 'housekeeping', false, 'worker.retention'),
              ('pii_scan', 'maintenance.pii_scan', interval '1 day', true, 'maintenance', false, 'worker.pii_scan') $$,
  'retention and the PII scan are scheduled daily as leased (non-batchable) jobs');

-- The tenant directory: only the owner, only in the system tenant's context.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
SELECT is((SELECT array_agg(id) FROM skeldir.tenants), ARRAY[:'tenant_a'::uuid],
          'a tenant still sees only its own tenants row');
SELECT ok(skeldir.tenant_ids() @> ARRAY[:'tenant_a', :'tenant_b', :'system_tenant']::uuid[]
          AND current_setting('app.current_tenant_id') = :'tenant_a',
          'tenant_ids() lists every tenant, system included, and leaves the caller''s context alone');
RESET ROLE;
CREATE ROLE analyst_of_system LOGIN IN ROLE skeldir_readonly;
SELECT admin.grant_analyst(:'system_tenant', 'analyst_of_system') AS bound \gset
SET SESSION AUTHORIZATION analyst_of_system;
SET LOCAL app.current_tenant_id = :'system_tenant';
SELECT is((SELECT count(*) FROM skeldir.tenants), 1::bigint,
          'an analyst of the system tenant sees only the system tenant, not the directory');
RESET SESSION AUTHORIZATION;
SELECT skeldir.set_tenant_context('', true) AS context \gset

-- Rules are checked against the catalog.
SELECT throws_ok($$INSERT INTO skeldir.retention_rules (name, table_name, age_column, keep)
                   VALUES ('books', 'skeldir.attribution_events', 'occurred_at', '1 year')$$,
                 '22023', NULL, 'a retention rule for the append-only events (the books) is refused');
SELECT throws_ok($$INSERT INTO skeldir.retention_rules (name, table_name, age_column, keep, status_column, statuses)
                   VALUES ('typo', 'skeldir.dead_events', 'last_seen_at', '1 day', 'status', '{resolvd}')$$,
                 '22023', NULL, 'a retention rule with a status the column cannot hold is refused');
SELECT throws_ok($$INSERT INTO skeldir.retention_rules (name, table_name, age_column, keep)
                   VALUES ('directory', 'skeldir.tenants', 'created_at', '1 day')$$,
                 '22023', NULL, 'a retention rule for the tenants themselves is refused');

-- Retention data, for A, B and the system tenant. `go` rows are what the
-- seeded rules prune; everything else must stay. Each tenant's rows are
-- written, and later counted, as the owner in that tenant's context (on Citus
-- a transaction touches a tenant's shards as one user only), over the tenant
-- directory as the superuser reads it.
CREATE TEMP TABLE directory AS SELECT id FROM skeldir.tenants;
GRANT SELECT ON directory TO skeldir_owner;
CREATE FUNCTION pg_temp.plant_dead_events(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  planted bigint;
BEGIN
  WITH written AS (
    INSERT INTO skeldir.dead_events (tenant_id, vendor, error_type, error_message, payload, body_sha256, body_bytes,
                                     correlation_id, status, first_seen_at, last_seen_at)
    SELECT t::uuid, 'shopify', 'retention_test', v.tag, '{}', sha256(convert_to(t || v.n, 'UTF8')), 2, gen_random_uuid(),
           v.status::skeldir.remediation_status, now() - v.age::interval, now() - v.age::interval
      FROM (VALUES (1, 'go', 'resolved', '40 days'), (2, 'go', 'abandoned', '31 days'),
                   (3, 'keep', 'pending', '400 days'), (4, 'keep', 'in_progress', '40 days'),
                   (5, 'keep', 'resolved', '29 days')) AS v(n, tag, status, age)
    RETURNING 1)
  SELECT count(*) INTO planted FROM written;
  RETURN planted;
END $$;
CREATE FUNCTION pg_temp.plant_failed_jobs(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  planted bigint;
BEGIN
  WITH written AS (
    INSERT INTO skeldir.worker_failed_jobs (tenant_id, job_id, task, queue, args, error_class, error_message,
                                            retry_count, status, failed_at)
    SELECT t::uuid, -1000 - v.n, 'housekeeping.ping', 'housekeeping', '{}', 'P0001', v.tag, 3,
           v.status::skeldir.remediation_status, now() - v.age::interval
      FROM (VALUES (1, 'go', 'resolved', '40 days'), (2, 'go', 'abandoned', '40 days'),
                   (3, 'keep', 'pending', '400 days'), (4, 'keep', 'resolved', '1 day')) AS v(n, tag, status, age)
    RETURNING 1)
  SELECT count(*) INTO planted FROM written;
  RETURN planted;
END $$;
CREATE FUNCTION pg_temp.plant_findings(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  planted bigint;
BEGIN
  WITH written AS (
    INSERT INTO skeldir.pii_scan_findings (tenant_id, job_id, table_name, column_name, scanned_at, rows_with_pii)
    SELECT t::uuid, v.job, v.tag, 'payload', now() - v.age::interval, 0
      FROM (VALUES (-1001, 'go', '91 days'), (-1002, 'keep', '89 days')) AS v(job, tag, age)
    RETURNING 1)
  SELECT count(*) INTO planted FROM written;
  RETURN planted;
END $$;
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
SELECT pg_temp.plant_dead_events(:'tenant_a') AS planted, pg_temp.plant_failed_jobs(:'tenant_a') AS planted,
       pg_temp.plant_findings(:'tenant_a') AS planted \gset
SELECT skeldir.set_tenant_context(:'tenant_b', true) AS context \gset
SELECT pg_temp.plant_dead_events(:'tenant_b') AS planted, pg_temp.plant_failed_jobs(:'tenant_b') AS planted,
       pg_temp.plant_findings(:'tenant_b') AS planted \gset
SELECT skeldir.set_tenant_context(:'system_tenant', true) AS context \gset
SELECT pg_temp.plant_failed_jobs(:'system_tenant') AS planted \gset
SELECT skeldir.set_tenant_context('', true) AS context \gset

CREATE TEMP VIEW retained AS
  SELECT 'dead_events' AS tbl, tenant_id, error_message AS tag, count(*) AS n FROM skeldir.dead_events GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'worker_failed_jobs', tenant_id, error_message, count(*) FROM skeldir.worker_failed_jobs GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'pii_scan_findings', tenant_id, table_name, count(*) FROM skeldir.pii_scan_findings GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'attribution_events', tenant_id, 'books', count(*) FROM skeldir.attribution_events GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'revenue_ledger', tenant_id, 'books', count(*) FROM skeldir.revenue_ledger GROUP BY 1, 2, 3;
-- What is retained in every tenant of the directory, each read in its context.
CREATE FUNCTION pg_temp.retained_everywhere() RETURNS TABLE (tbl text, tenant_id uuid, tag text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT d.id FROM pg_temp.directory AS d ORDER BY d.id LOOP
    PERFORM skeldir.set_tenant_context(t::text, true);
    RETURN QUERY SELECT r.tbl, r.tenant_id, r.tag, r.n FROM pg_temp.retained AS r WHERE r.tenant_id = t;
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END $$;
-- The PII scan's findings in every tenant of the directory, likewise.
CREATE FUNCTION pg_temp.findings_everywhere() RETURNS SETOF skeldir.pii_scan_findings LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT d.id FROM pg_temp.directory AS d ORDER BY d.id LOOP
    PERFORM skeldir.set_tenant_context(t::text, true);
    RETURN QUERY SELECT f.* FROM skeldir.pii_scan_findings AS f WHERE f.tenant_id = t;
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END $$;
CREATE TEMP TABLE before AS SELECT * FROM pg_temp.retained_everywhere();

SELECT is((SELECT count(DISTINCT (tbl, tenant_id)) FROM before WHERE tag = 'go'), 7::bigint,
          'before retention, A, B (and the system tenant, for failed jobs) each hold rows the rules prune');

-- A run capped at one batch of one row per rule and tenant leaves the rest
-- to a follow-up job.
UPDATE skeldir.retention_rules SET batch_size = 1 WHERE name = 'closed_dead_events';
SELECT worker.retention('{"max_batches": 1}', -7);
SELECT results_eq($$ SELECT tenant_id, n FROM pg_temp.retained_everywhere() WHERE tbl = 'dead_events' AND tag = 'go' ORDER BY 1 $$,
                  format($$ SELECT * FROM (VALUES (%L::uuid, 1::bigint), (%L::uuid, 1::bigint)) AS v ORDER BY 1 $$,
                         :'tenant_a', :'tenant_b'),
                  'a capped run deletes one batch per tenant and no more');
RESET ROLE;
SELECT is((SELECT args FROM skeldir.jobs WHERE dedupe_key = 'retention:after:-7' AND state = 'available'),
          '{"max_batches": 1}'::jsonb, 'what a capped run leaves is handed to a follow-up job');
UPDATE skeldir.retention_rules SET batch_size = 1000 WHERE name = 'closed_dead_events';

-- The scheduled run: no tenant, through the queue, as the dispatcher runs it.
SELECT skeldir.enqueue('housekeeping.retention', '{}', NULL, NULL, 'test:retention') AS retention_job \gset
SELECT worker.execute(job_id, 'test') FROM worker.claim('housekeeping', 10, 'test');
SELECT is((SELECT count(*) FROM skeldir.jobs WHERE kind = 'housekeeping.retention' AND state <> 'completed'), 0::bigint,
          'the scheduled retention job and its follow-up complete');
SET ROLE skeldir_owner;
SELECT is_empty($$ SELECT tbl, tenant_id FROM pg_temp.retained_everywhere() WHERE tag = 'go' $$,
                'retention deleted, in every tenant, the closed dead events, closed failed jobs and findings past their age');
SELECT is_empty($$ SELECT tbl, tenant_id, tag, n FROM before WHERE tag <> 'go'
                   EXCEPT SELECT tbl, tenant_id, tag, n FROM pg_temp.retained_everywhere() $$,
                'retention kept open remediations, recent rows and the books (events, revenue ledger), in every tenant');

SELECT lives_ok($$ SELECT worker.retention('{}', 0) $$, 'running retention again succeeds');
SELECT is_empty($$ SELECT tbl, tenant_id, tag, n FROM before WHERE tag <> 'go'
                   EXCEPT SELECT tbl, tenant_id, tag, n FROM pg_temp.retained_everywhere() $$,
                'running retention again deletes nothing more');

-- PII planted at rest in tenant A only, past the trigger (disabled inside
-- this transaction, by the owner of the table; Citus refuses to alter a
-- distributed table's triggers unless citus.enable_unsafe_triggers is on, a
-- mere placeholder on plain PostgreSQL), in a jsonb column without a
-- trigger, and in a json column of a tenant table the scan has never heard of
-- (without a foreign key to the tenants: on Citus one to that reference table
-- makes it a Citus local table, whose shard on the coordinator
-- skeldir.tenant_tables() lists too).
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
SET LOCAL citus.enable_unsafe_triggers = on;
ALTER TABLE skeldir.dead_events DISABLE TRIGGER reject_pii;
UPDATE skeldir.dead_events
   SET payload = '{"order": {"Email": "planted@example.com", "billing": {"phone": "555-0100"}}, "id": 7}'
 WHERE tenant_id = :'tenant_a' AND error_type = 'retention_test' AND error_message = 'keep' AND status = 'pending';
ALTER TABLE skeldir.dead_events ENABLE TRIGGER reject_pii;
RESET citus.enable_unsafe_triggers;
UPDATE skeldir.worker_failed_jobs SET args = '[{"ip": "192.0.2.7"}]'
 WHERE tenant_id = :'tenant_a' AND error_message = 'keep' AND status = 'pending';
CREATE TABLE skeldir.pii_probe (tenant_id uuid NOT NULL REFERENCES skeldir.tenants (id), doc json);
SELECT skeldir.isolate_by_tenant('skeldir.pii_probe');
INSERT INTO skeldir.pii_probe VALUES (:'tenant_a', '{"customer_email": "x@example.com"}'),
                                     (:'tenant_a', '{"clean": true}');
SELECT skeldir.set_tenant_context(:'tenant_b', true) AS context \gset
INSERT INTO skeldir.pii_probe VALUES (:'tenant_b', '{"clean": true}');
SELECT skeldir.set_tenant_context('', true) AS context \gset
RESET ROLE;

SELECT skeldir.enqueue('maintenance.pii_scan', '{}', NULL, NULL, 'test:pii_scan') AS scan_job \gset
-- Only the scan is carried out of what the claim leases: the maintenance
-- queue also holds the fixture's refreshes, and on Citus a materialized view
-- refresh (as skeldir_analytics) cannot read shards the owner wrote in this
-- transaction.
SELECT worker.execute(c.job_id, 'test') FROM worker.claim('maintenance', 10, 'test') AS c WHERE c.job_id = :scan_job;
SELECT is((SELECT state::text FROM skeldir.jobs WHERE id = :scan_job), 'completed', 'the scheduled PII scan job completes');
SELECT count(*) AS tenant_count FROM skeldir.tenants \gset

SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) AS context \gset
SELECT results_eq(format($$
  SELECT table_name, column_name, rows_with_pii, pii_keys FROM skeldir.pii_scan_findings
   WHERE tenant_id = %L AND job_id = %s AND rows_with_pii > 0 ORDER BY 1, 2 $$, :'tenant_a', :scan_job),
  $$ VALUES ('skeldir.dead_events', 'payload', 1::bigint, '{billing,email,phone,value:email}'::text[]),
            ('skeldir.pii_probe', 'doc', 1::bigint, '{customer_email,value:email}'::text[]),
            ('skeldir.worker_failed_jobs', 'args', 1::bigint, '{ip,value:ip}'::text[]) $$,
  'the scan reports the planted PII for tenant A: rows, keys and kinds of value per column, json columns of new tables included');
SELECT skeldir.set_tenant_context('', true) AS context \gset
SELECT count(*) AS others_with_pii FROM pg_temp.findings_everywhere()
 WHERE job_id = :scan_job AND rows_with_pii > 0 AND tenant_id <> :'tenant_a' \gset
SELECT is(:others_with_pii::bigint, 0::bigint, 'no other tenant is reported with PII');
SELECT results_eq(format($$
  SELECT count(*), sum(rows_with_pii) FROM pg_temp.findings_everywhere() WHERE tenant_id = %L AND job_id = %s $$,
  :'tenant_b', :scan_job),
  $$ SELECT count(*), 0::numeric FROM pg_attribute AS a JOIN skeldir.tenant_tables() AS t ON a.attrelid = t
      WHERE a.atttypid IN ('json'::regtype, 'jsonb'::regtype, 'text'::regtype, 'text[]'::regtype, 'varchar'::regtype)
        AND a.attnum > 0 AND NOT a.attisdropped AND (a.attrelid, a.attname) <> ('skeldir.users'::regclass, 'email') $$,
  'the clean tenant B gets a zero finding for every text and JSON column of every tenant table but the login email');
SELECT count(DISTINCT tenant_id) AS scanned_tenants FROM pg_temp.findings_everywhere() WHERE job_id = :scan_job \gset
SELECT is(:scanned_tenants::bigint, :tenant_count::bigint, 'the scan visits every tenant');
SELECT is_empty($$ SELECT * FROM pg_temp.findings_everywhere() AS f
                    WHERE row_to_json(f)::text ~ '(planted|x)@example\.com|555-0100|192\.0\.2\.7' $$,
                'findings never hold a PII value');
RESET ROLE;
SELECT sum(rows_with_pii) AS scan_pii_a FROM admin.scan_pii(:'tenant_a') \gset
SELECT is(:'scan_pii_a'::numeric, 3::numeric, 'admin.scan_pii reads the same walk');

SET ROLE skeldir_owner;
-- admin.scan_pii entered tenant A.
SELECT skeldir.set_tenant_context('', true) AS context \gset
SELECT md5(string_agg(format('%s|%s|%s|%s|%s', tenant_id, table_name, column_name, rows_with_pii, pii_keys), ','
                      ORDER BY tenant_id, table_name, column_name)) AS scan_hash
  FROM pg_temp.findings_everywhere() WHERE job_id = :scan_job \gset
SELECT lives_ok(format($$ SELECT worker.pii_scan('{}', %s) $$, :scan_job), 'running the same scan again succeeds');
SELECT md5(string_agg(format('%s|%s|%s|%s|%s', tenant_id, table_name, column_name, rows_with_pii, pii_keys), ','
                      ORDER BY tenant_id, table_name, column_name)) AS rescan_hash
  FROM pg_temp.findings_everywhere() WHERE job_id = :scan_job \gset
SELECT is(:'rescan_hash'::text, :'scan_hash'::text, 'running the same scan again rewrites its findings instead of adding rows');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
