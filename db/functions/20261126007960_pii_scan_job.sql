-- migrate:up
-- The daily PII scan (SPEC §4.4, §5). Fired by the scheduler with no tenant,
-- it visits every tenant under that tenant's own context (FORCE RLS confines
-- each visit), records one finding per JSON column, zero counts included (a
-- clean result is a result), and logs a WARNING for each column holding PII:
-- counts and key names only, never a value. A job enqueued for one tenant
-- scans only that tenant. Idempotent: findings are keyed by job, so a retry
-- rewrites its own rows.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION worker.pii_scan(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  scope uuid := skeldir.current_tenant_id();
  tenant uuid;
  f record;
BEGIN
  FOREACH tenant IN ARRAY CASE WHEN scope IS NULL THEN skeldir.tenant_ids() ELSE ARRAY[scope] END LOOP
    PERFORM set_config('app.current_tenant_id', tenant::text, true);
    FOR f IN SELECT * FROM skeldir.scan_pii_at_rest() LOOP
      INSERT INTO skeldir.pii_scan_findings AS x (tenant_id, job_id, table_name, column_name, rows_with_pii, pii_keys)
      VALUES (tenant, pii_scan.job_id, f.table_name, f.column_name, f.rows_with_pii, f.pii_keys)
      ON CONFLICT ON CONSTRAINT pii_scan_findings_pkey DO UPDATE
        SET scanned_at = EXCLUDED.scanned_at, rows_with_pii = EXCLUDED.rows_with_pii, pii_keys = EXCLUDED.pii_keys;
      IF f.rows_with_pii > 0 THEN
        RAISE WARNING 'personal data at rest: % row(s) of %.% for tenant % hold PII keys %',
          f.rows_with_pii, f.table_name, f.column_name, tenant, f.pii_keys
          USING HINT = 'see skeldir.pii_scan_findings; values are never logged';
      END IF;
    END LOOP;
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;

-- A full read of every JSON column of every tenant: a long, leased job.
INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('maintenance.pii_scan', 'maintenance', 'worker.pii_scan', '1800 seconds', '1860 seconds', 4, '1 minute', false);

INSERT INTO skeldir.schedules (name, kind, every) VALUES ('pii_scan', 'maintenance.pii_scan', '1 day');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.schedules WHERE name = 'pii_scan';
DELETE FROM skeldir.jobs WHERE kind = 'maintenance.pii_scan';
DELETE FROM skeldir.job_kinds WHERE kind = 'maintenance.pii_scan';
DROP FUNCTION worker.pii_scan(jsonb, bigint);
