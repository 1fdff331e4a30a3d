-- Short jobs run a kind's batch in one statement (worker.work), and a
-- failure stays the failing job's: its neighbours in the batch complete,
-- their side effects happen once, and only it is retried.
BEGIN;
SELECT plan(7);

SELECT created ->> 'tenant_id' AS tenant_a FROM admin.create_tenant('Batch A') AS created \gset
SELECT created ->> 'tenant_id' AS tenant_b FROM admin.create_tenant('Batch B') AS created \gset

-- A batchable kind whose body writes a side effect, seeing its tenant, and
-- fails when its args say so.
CREATE TABLE skeldir.test_batch_effects (job_id bigint, tenant text);
GRANT INSERT, SELECT ON skeldir.test_batch_effects TO skeldir_owner;
CREATE FUNCTION worker.test_sometimes(args jsonb, job_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO skeldir.test_batch_effects VALUES (job_id, current_setting('app.current_tenant_id', true));
  IF (args ->> 'fail')::boolean THEN
    RAISE EXCEPTION 'job % was told to fail', job_id USING ERRCODE = 'raise_exception';
  END IF;
END
$$;
INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('test.sometimes', 'maintenance', 'worker.test_sometimes', '5 seconds', '10 seconds', 3, '1 hour', true);
DELETE FROM skeldir.jobs;

-- Tenant A: five jobs, the third fails; tenant B: two jobs that succeed.
INSERT INTO skeldir.jobs (kind, queue, args, tenant_scope)
SELECT 'test.sometimes', 'maintenance', jsonb_build_object('fail', i = 3), :'tenant_a'::uuid FROM generate_series(1, 5) AS i;
INSERT INTO skeldir.jobs (kind, queue, args, tenant_scope)
SELECT 'test.sometimes', 'maintenance', '{"fail": false}', :'tenant_b'::uuid FROM generate_series(1, 2);

SELECT skeldir.set_tenant_context('before', true) AS context \gset
CREATE TEMP TABLE answers AS SELECT * FROM worker.work('maintenance', 50, 'batch-test');

SELECT is((SELECT count(*) FROM answers WHERE outcome = 'completed'), 6::bigint,
  'the failing job''s neighbours complete');
SELECT results_eq($$ SELECT outcome FROM answers WHERE outcome <> 'completed' $$, $$ VALUES ('retried') $$,
  'only the failing job is retried');
SELECT results_eq($$
  SELECT j.state::text, j.attempt, j.last_error IS NOT NULL FROM skeldir.jobs AS j WHERE (j.args ->> 'fail')::boolean
$$, $$ VALUES ('available', 1, true) $$, 'the failed job waits for its retry, attempt 1 recorded with its error');
SELECT is((SELECT count(*) FROM skeldir.jobs WHERE state = 'completed' AND attempt = 1), 6::bigint,
  'each neighbour is completed once, at its first attempt');
SELECT is_empty($$
  SELECT e.job_id FROM skeldir.test_batch_effects AS e JOIN skeldir.jobs AS j ON j.id = e.job_id
   WHERE NOT (j.args ->> 'fail')::boolean
   GROUP BY e.job_id HAVING count(*) <> 1
$$, 'the undone batch left no side effect: each completed job wrote once');
SELECT is_empty($$
  SELECT e.job_id FROM skeldir.test_batch_effects AS e JOIN skeldir.jobs AS j ON j.id = e.job_id
   WHERE e.tenant IS DISTINCT FROM j.tenant_scope::text
$$, 'each job ran in its own tenant''s context');
SELECT is(current_setting('app.current_tenant_id', true), '', 'no job''s tenant context is left behind');

SELECT * FROM finish();
ROLLBACK;
