-- migrate:up
-- A tenant's realtime revenue refresh is due 200 ms after the request that
-- makes it, so that the requests of those 200 ms fold into one refresh, and
-- the dispatcher learns when the next job of a queue is due (issue 15,
-- targets 2 and 5).
--
-- Since 20261204070100 a pending refresh is claimed at once even while
-- requests hold it, and every request after the claim makes the next: under
-- steady ingest one tenant's refreshes ran back to back, 1,861 of them in 15
-- s at 200 deliveries/s (5.4 ms each, 10.4 s of the worker's CPU, against
-- 790 and 4.8 s when claims skipped held jobs), and the API had that much
-- less: the bench found no rate with p99 under 100 ms. Gathered for 200 ms,
-- a busy tenant costs at most five refreshes a second, and a sale still
-- shows within the 2 s the realtime figure promises.
--
-- worker.next_due tells the dispatcher how long until the earliest pending
-- job of a queue is due, so that it looks again then rather than at its
-- next poll (SKELDIR_WORKER_POLL, 1 s), which would have made the 200 ms up
-- to a second.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.request_realtime_revenue(tenant uuid) RETURNS bigint
LANGUAGE sql VOLATILE
AS $$
  SELECT skeldir.enqueue('revenue.realtime', '{}', tenant, now() + interval '200 milliseconds',
                         'revenue.realtime:' || tenant)
$$;

-- Seconds until the earliest pending job of the queue is due (zero or less:
-- due already); NULL when none is pending. By jobs_available_idx.
CREATE FUNCTION worker.next_due(queue text) RETURNS double precision
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT extract(epoch FROM min(j.run_at) - now())::double precision
    FROM skeldir.jobs AS j
   WHERE j.queue = next_due.queue::skeldir.queue AND j.state = 'available'
$$;

COMMENT ON FUNCTION worker.next_due(text) IS
  'Seconds until the earliest pending job of the queue is due; NULL when none is pending.';

-- migrate:down
-- (Forward only, README "Migrations": skeldir.request_realtime_revenue keeps
-- this body; 20261202003500 defines the one before.)
SELECT 1;
