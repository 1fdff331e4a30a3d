-- migrate:up
-- Two statements PostgreSQL planned again on every call (issue 15, target
-- 1; pg_stat_statements with track_planning: one plan per call).
--
-- skeldir.attribution_days (20261204030300): a PL/pgSQL statement gets a
-- custom plan for its first five runs, then the generic one unless that is
-- estimated dearer. Its query unnests the arrays it is given, and a custom
-- plan sees each array as a constant and estimates its exact length (one
-- order, one session), while the generic plan assumes ten elements: the
-- generic plan always looked ten times dearer, so every call was planned
-- again, 0.36 ms a webhook. The generic plan is the good one (a nested loop
-- over the arrays, each element looked up by its index, whatever the
-- statistics), and the function now always uses it.
--
-- skeldir.enqueue (20261204030400): `k.fault AND NOT (SELECT ...)` was a
-- query planned per call (the custom plan, which folds k.fault = false,
-- always looks cheaper); the fault-injection switch is read only for a
-- fault kind now, and the test of k.fault is a plain expression.
-- Measured: 500 real-shaped orders through api.ingest_webhook (CPU, median of
-- 6 interleaved pairs) 0.92x; planning time of the ingest path 0.37 ms a
-- webhook before, 0.02 ms after (pg_stat_statements); make bench-ingest
-- phase sql median ratio 3.10 -> 2.99.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamptz[])
RETURNS date[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  found date[];
BEGIN
  IF coalesce(cardinality(orders), 0) = 0 AND coalesce(cardinality(sessions), 0) = 0 THEN
    IF coalesce(cardinality(days), 0) = 0 THEN
      RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(days) AS d WHERE d IS NOT NULL);
  END IF;
  SELECT array_agg(DISTINCT x.day ORDER BY x.day) INTO found
    FROM (SELECT d AS day FROM unnest(days) AS d
          UNION ALL
          SELECT (o.occurred_at AT TIME ZONE 'UTC')::date
            FROM unnest(orders) AS q(order_id)
           CROSS JOIN LATERAL (SELECT e.occurred_at FROM skeldir.attribution_events AS e
                                WHERE e.tenant_id = tenant AND e.order_id = q.order_id
                                  AND e.event_type = 'purchase' AND e.revenue_cents > 0
                               OFFSET 0) AS o
          UNION ALL
          SELECT (p.occurred_at AT TIME ZONE 'UTC')::date
            FROM unnest(sessions, touched_at) AS t(session_id, at)
           CROSS JOIN LATERAL (SELECT e.occurred_at FROM skeldir.attribution_events AS e
                                WHERE e.tenant_id = tenant AND e.session_id = t.session_id
                                  AND e.occurred_at BETWEEN t.at AND t.at + interval '30 days'
                                  AND e.event_type = 'purchase' AND e.revenue_cents > 0
                               OFFSET 0) AS p) AS x
   WHERE x.day IS NOT NULL;
  RETURN found;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.enqueue(kind text, args jsonb DEFAULT '{}', tenant uuid DEFAULT NULL,
                                           run_at timestamptz DEFAULT NULL, dedupe_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
  k skeldir.job_kinds;
  job bigint;
BEGIN
  SELECT * INTO k FROM skeldir.job_kinds AS jk WHERE jk.kind = enqueue.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown job kind %', quote_literal(kind) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF k.fault THEN
    IF NOT (SELECT f.enabled FROM skeldir.fault_injection AS f) THEN
      RAISE EXCEPTION 'fault injection is disabled: % cannot be enqueued', kind
        USING ERRCODE = 'insufficient_privilege', HINT = 'An operator enables it with admin.set_fault_injection(true).';
    END IF;
  END IF;
  LOOP
    IF dedupe_key IS NOT NULL THEN
      SELECT j.id INTO job FROM skeldir.jobs AS j
       WHERE j.dedupe_key = enqueue.dedupe_key AND j.state = 'available'
         FOR KEY SHARE;
      IF job IS NOT NULL THEN
        RETURN job;
      END IF;
    END IF;
    INSERT INTO skeldir.jobs AS j (kind, queue, args, tenant_scope, run_at, dedupe_key)
    VALUES (k.kind, k.queue, coalesce(args, '{}'), tenant, coalesce(run_at, now()), dedupe_key)
    ON CONFLICT (dedupe_key) WHERE state = 'available' DO NOTHING
    RETURNING j.id INTO job;
    IF job IS NOT NULL THEN
      PERFORM pg_notify('skeldir_jobs', k.queue::text);  -- delivered at commit
      RETURN job;
    END IF;
    -- Inserted by another transaction in between, or claimed in between
    -- (it may have read its inputs already): ask again.
  END LOOP;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": these bodies stay; 20261204030300 and
-- 20261204030400 define the ones before.)
SELECT 1;
