-- migrate:up
-- Refreshing the materialized views (SPEC §6.1, the seed's refresh chain):
-- one view, all views, and the pulse that keeps them fresh.
--
-- A refresh sees every tenant: REFRESH runs the view's query as its owner,
-- skeldir_analytics (20261126006500). It is single-flight per view: the
-- first request takes the view's advisory lock until its transaction ends,
-- and a request that finds the lock taken is skipped, not queued (the
-- refresh under way is as fresh as it would be). It waits for the view's
-- own lock no longer than the registry says, then fails and is retried by
-- the queue; the job's soft limit bounds the query itself. Requests made
-- through the queue coalesce: one pending refresh job per view. Besides the
-- pulse, a job that rewrites a table the views read asks for their refresh.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.count_matview_refresh(view_name text, outcome text, seconds double precision)
RETURNS void
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  INSERT INTO skeldir.matview_refresh_stats AS s (view_name, outcome, refreshes, seconds, last_at)
  VALUES (view_name, outcome, 1, seconds, now())
  ON CONFLICT (view_name, outcome) DO UPDATE
     SET refreshes = s.refreshes + 1, seconds = s.seconds + excluded.seconds, last_at = excluded.last_at;
END;

-- Refreshes one view now, or skips it; returns 'refreshed' or 'skipped'.
CREATE FUNCTION skeldir.refresh_matview(view_name text) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  mv skeldir.matviews;
  started timestamptz := clock_timestamp();
  waited_before text := current_setting('lock_timeout');
BEGIN
  SELECT * INTO mv FROM skeldir.matviews AS m WHERE m.name = refresh_matview.view_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown materialized view %', quote_literal(view_name) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT pg_try_advisory_xact_lock(hashtext('skeldir.refresh_matview'), hashtext(mv.name)) THEN
    PERFORM skeldir.count_matview_refresh(mv.name, 'skipped', 0);
    RETURN 'skipped';
  END IF;
  PERFORM set_config('lock_timeout', (extract(epoch FROM mv.lock_timeout) * 1000)::bigint || 'ms', true);
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', mv.name);
  PERFORM set_config('lock_timeout', waited_before, true);
  PERFORM skeldir.count_matview_refresh(mv.name, 'refreshed', extract(epoch FROM clock_timestamp() - started));
  RETURN 'refreshed';
END
$$;

-- Asks for a refresh of each view of a cadence (all views when NULL): one
-- pending refresh job per view, however many ask.
CREATE FUNCTION skeldir.request_matview_refreshes(cadence text DEFAULT NULL) RETURNS integer
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  SELECT count(skeldir.enqueue('matview.refresh', jsonb_build_object('view', m.name), NULL, NULL,
                               'matview.refresh:' || m.name))::integer
    FROM skeldir.matviews AS m
   WHERE m.cadence = coalesce(request_matview_refreshes.cadence, m.cadence);
END;

-- Asks for a refresh of each view that reads table (directly or through
-- views), after a job changed it in bulk: the dependencies come from the
-- catalog, so a new view is refreshed after the writes it reads. Only views
-- of a cadence when given; due at due (now when NULL), so that requests until
-- then share one job.
CREATE FUNCTION skeldir.request_matview_refreshes_reading(changed regclass, cadence text DEFAULT NULL,
                                                          due timestamptz DEFAULT NULL) RETURNS integer
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  WITH RECURSIVE reader(relid) AS (
    SELECT rw.ev_class FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS rw ON rw.oid = d.objid
     WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = changed AND rw.ev_class <> changed
    UNION
    SELECT rw.ev_class FROM reader AS r
      JOIN pg_catalog.pg_depend AS d ON d.refobjid = r.relid AND d.classid = 'pg_catalog.pg_rewrite'::regclass
      JOIN pg_catalog.pg_rewrite AS rw ON rw.oid = d.objid AND rw.ev_class <> r.relid
  )
  SELECT count(skeldir.enqueue('matview.refresh', jsonb_build_object('view', m.name), NULL, due,
                               'matview.refresh:' || m.name))::integer
    FROM skeldir.matviews AS m
   WHERE m.cadence = coalesce(request_matview_refreshes_reading.cadence, m.cadence)
     AND EXISTS (SELECT FROM reader AS r JOIN pg_catalog.pg_class AS c ON c.oid = r.relid
                  WHERE c.relname = m.name AND c.relnamespace = 'analytics'::regnamespace);
END;

-- Job bodies.
CREATE FUNCTION worker.matview_refresh(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN PERFORM skeldir.refresh_matview(args ->> 'view'); END $$;

CREATE FUNCTION worker.matview_refresh_all(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN PERFORM skeldir.request_matview_refreshes(); END $$;

CREATE FUNCTION worker.matview_pulse(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT coalesce(args ->> 'cadence' IN ('realtime', 'daily'), false) THEN
    RAISE EXCEPTION 'matview.pulse needs a cadence, realtime or daily' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.request_matview_refreshes(args ->> 'cadence');
END
$$;

-- A refresh job's body rolls back with its failure, so the failure is
-- counted where the queue settles it (job_kinds.on_failure).
CREATE FUNCTION skeldir.count_failed_matview_refresh(job skeldir.jobs, outcome text) RETURNS void
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  SELECT skeldir.count_matview_refresh(m.name, 'failed', extract(epoch FROM clock_timestamp() - job.started_at))
    FROM skeldir.matviews AS m WHERE m.name = job.args ->> 'view';
END;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable, on_failure) VALUES
  ('matview.refresh',     'maintenance', 'worker.matview_refresh',     '120 seconds', '150 seconds', 4, '2 seconds', false,
   'skeldir.count_failed_matview_refresh'),
  ('matview.refresh_all', 'maintenance', 'worker.matview_refresh_all', '30 seconds',  '60 seconds',  4, '1 second',  true, NULL),
  ('matview.pulse',       'maintenance', 'worker.matview_pulse',       '30 seconds',  '60 seconds',  4, '1 second',  true, NULL);

INSERT INTO skeldir.schedules (name, kind, every, args) VALUES
  ('matview_pulse_realtime', 'matview.pulse', '1 minute', '{"cadence": "realtime"}'),
  ('matview_pulse_daily',    'matview.pulse', '1 hour',   '{"cadence": "daily"}');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.schedules WHERE name IN ('matview_pulse_realtime', 'matview_pulse_daily');
DELETE FROM skeldir.jobs WHERE kind IN ('matview.refresh', 'matview.refresh_all', 'matview.pulse');
DELETE FROM skeldir.job_kinds WHERE kind IN ('matview.refresh', 'matview.refresh_all', 'matview.pulse');
DROP FUNCTION skeldir.count_failed_matview_refresh(skeldir.jobs, text);
DROP FUNCTION worker.matview_pulse(jsonb, bigint);
DROP FUNCTION worker.matview_refresh_all(jsonb, bigint);
DROP FUNCTION worker.matview_refresh(jsonb, bigint);
DROP FUNCTION skeldir.request_matview_refreshes_reading(regclass, text, timestamptz);
DROP FUNCTION skeldir.request_matview_refreshes(text);
DROP FUNCTION skeldir.refresh_matview(text);
DROP FUNCTION skeldir.count_matview_refresh(text, text, double precision);
