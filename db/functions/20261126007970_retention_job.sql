-- migrate:up
-- Daily data retention (SPEC §5): housekeeping.retention applies every
-- enabled skeldir.retention_rules row to every tenant, each tenant under its
-- own context (FORCE RLS confines every DELETE to it). Deletes go in batches
-- of the rule's batch_size, at most args.max_batches (default 100) per rule
-- and tenant per run, so one run stays bounded; what is left over goes to a
-- follow-up job. Idempotent: a second run finds nothing more to delete.
--
-- The rules seeded here prune only what is finished with: dead events and
-- failed jobs whose remediation is resolved or abandoned (open ones are kept
-- however old; dead events have no resolved_at, so age is their last
-- occurrence), and PII scan findings. Events and the revenue ledger are the
-- books: append-only, never pruned, and refused as rule targets.
SET LOCAL ROLE skeldir_owner;

-- One batch of a rule for the tenant in context: how many rows went.
-- Rows locked by someone else (an operator mid-replay) wait for the next run.
CREATE FUNCTION skeldir.prune_batch(rule skeldir.retention_rules) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  deleted bigint;
BEGIN
  EXECUTE format($q$
    DELETE FROM %1$s AS x
     WHERE x.ctid = ANY (ARRAY(SELECT y.ctid FROM %1$s AS y
                                WHERE y.%2$I < $1 %3$s
                                LIMIT $3 FOR UPDATE SKIP LOCKED))
  $q$, rule.table_name, rule.age_column,
       CASE WHEN rule.status_column IS NOT NULL THEN format('AND y.%I::text = ANY ($2)', rule.status_column) ELSE '' END)
    USING now() - rule.keep, rule.statuses, rule.batch_size;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$$;

CREATE FUNCTION worker.retention(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  scope uuid := skeldir.current_tenant_id();
  max_batches integer := coalesce((args ->> 'max_batches')::integer, 100);
  leftover boolean := false;
  tenant uuid;
  rule skeldir.retention_rules;
  batches integer;
  deleted bigint;
  total bigint;
BEGIN
  IF max_batches < 1 THEN
    RAISE EXCEPTION 'max_batches must be at least 1, not %', max_batches USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOREACH tenant IN ARRAY CASE WHEN scope IS NULL THEN skeldir.tenant_ids() ELSE ARRAY[scope] END LOOP
    PERFORM set_config('app.current_tenant_id', tenant::text, true);
    FOR rule IN SELECT * FROM skeldir.retention_rules AS r WHERE r.enabled ORDER BY r.name LOOP
      batches := 0;
      total := 0;
      LOOP
        deleted := skeldir.prune_batch(rule);
        batches := batches + 1;
        total := total + deleted;
        EXIT WHEN deleted < rule.batch_size;
        IF batches >= max_batches THEN
          leftover := true;
          EXIT;
        END IF;
      END LOOP;
      IF total > 0 THEN
        RAISE LOG 'retention %: % row(s) of % pruned for tenant %', rule.name, total, rule.table_name, tenant;
      END IF;
    END LOOP;
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  IF leftover THEN
    PERFORM skeldir.enqueue('housekeeping.retention', args, scope, NULL, 'retention:after:' || job_id);
  END IF;
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('housekeeping.retention', 'housekeeping', 'worker.retention', '300 seconds', '360 seconds', 4, '1 minute', false);

INSERT INTO skeldir.schedules (name, kind, every) VALUES ('data_retention', 'housekeeping.retention', '1 day');

INSERT INTO skeldir.retention_rules (name, table_name, age_column, keep, status_column, statuses) VALUES
  ('closed_dead_events',  'skeldir.dead_events',        'last_seen_at', '30 days', 'status', '{resolved,abandoned}'),
  ('closed_failed_jobs',  'skeldir.worker_failed_jobs', 'failed_at',    '30 days', 'status', '{resolved,abandoned}'),
  ('old_pii_scan_findings', 'skeldir.pii_scan_findings', 'scanned_at',  '90 days', NULL,     NULL);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.retention_rules WHERE name IN ('closed_dead_events', 'closed_failed_jobs', 'old_pii_scan_findings');
DELETE FROM skeldir.schedules WHERE name = 'data_retention';
DELETE FROM skeldir.jobs WHERE kind = 'housekeeping.retention';
DELETE FROM skeldir.job_kinds WHERE kind = 'housekeeping.retention';
DROP FUNCTION worker.retention(jsonb, bigint);
DROP FUNCTION skeldir.prune_batch(skeldir.retention_rules);
