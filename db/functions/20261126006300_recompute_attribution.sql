-- migrate:up
-- The four attribution models of SPEC §6.2, set-based, for the tenant in the
-- current context and the purchases of one window [window_start, window_end).
--
-- An order counts once, as its earliest purchase event. A purchase's
-- touchpoints are the events of its session within the 30 days
-- up to it (itself included); a purchase without a session is its own single
-- touch. Per channel: last_touch and first_touch credit the channel of the
-- latest (earliest) touch; linear credits each touch equally; time_decay
-- weighs a touch 2^(-age / 7 days). Minor units are the floor of revenue x
-- share, and the units left over go one each to the largest remainders
-- (ties, and touches at the same instant: channel code). Same inputs, same
-- rows, whoever runs it and however often.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.recompute_attribution(window_start timestamptz, window_end timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
-- Hash joins and sorts are right at any window size, but the plan is made
-- before the size is known; a nested loop over a large window never ends.
-- JIT compiling and parallel workers cost more than they save here (measured
-- on 100,000 purchases: 4.1 s with workers, 2.8 s without); one sort by
-- purchase and channel serves the grouping and every window after it, where
-- hashing the groups would need that sort anyway (about 20 % faster); and
-- the sorts stay in memory.
SET enable_nestloop = off
SET jit = off
SET max_parallel_workers_per_gather = 0
SET enable_hashagg = off
SET work_mem = '128MB'
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  removed bigint;
  written bigint;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'recompute_attribution needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Recomputes of one tenant take turns, so two that overlap never both
  -- insert a purchase's rows; each statement after the lock sees what the
  -- previous holder committed.
  PERFORM pg_advisory_xact_lock(hashtext('skeldir.recompute_attribution'), hashtext(tenant::text));

  -- Compute the window, then write only the difference: a recompute that
  -- finds nothing new writes nothing.
  CREATE TEMP TABLE attribution_window ON COMMIT DROP AS
  WITH purchase AS (
    SELECT p.id, p.session_id, p.occurred_at, p.revenue_cents, p.currency, p.channel
      FROM skeldir.attribution_events AS p
     WHERE p.tenant_id = tenant AND p.event_type = 'purchase' AND p.revenue_cents > 0
       AND p.occurred_at >= window_start AND p.occurred_at < window_end
       -- An order is one purchase however many webhooks announce it
       -- (orders/create and orders/paid; a shop's order and the processor's
       -- charge for it): its earliest event is the one attributed.
       AND NOT EXISTS (SELECT FROM skeldir.attribution_events AS q
                        WHERE q.tenant_id = tenant AND q.order_id = p.order_id AND q.event_type = 'purchase'
                          AND q.revenue_cents > 0 AND (q.occurred_at, q.id) < (p.occurred_at, p.id))
  ),
  touch AS (
    SELECT p.id AS purchase_id, t.channel, t.occurred_at,
           power(2::float8, -extract(epoch FROM p.occurred_at - t.occurred_at)::float8 / 604800) AS decay
      FROM purchase AS p
      JOIN skeldir.attribution_events AS t
        ON t.tenant_id = tenant AND t.session_id = p.session_id
       AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
    UNION ALL
    SELECT p.id, p.channel, p.occurred_at, 1 FROM purchase AS p WHERE p.session_id IS NULL
  ),
  per_channel AS (
    SELECT t.purchase_id, t.channel COLLATE "C" AS channel, count(*) AS touches, sum(t.decay) AS decay,
           min(t.occurred_at) AS first_at, max(t.occurred_at) AS last_at
      FROM touch AS t
     GROUP BY t.purchase_id, t.channel COLLATE "C"
  ),
  share AS (
    SELECT c.purchase_id, c.channel, p.revenue_cents AS revenue, p.currency, p.occurred_at, c.touches,
           (sum(c.touches) OVER whole)::bigint AS all_touches,
           c.decay / sum(c.decay) OVER whole AS decay_ratio,
           c.first_at = min(c.first_at) OVER whole AS earliest,
           c.last_at = max(c.last_at) OVER whole AS latest
      FROM per_channel AS c JOIN purchase AS p ON p.id = c.purchase_id
    WINDOW whole AS (PARTITION BY c.purchase_id)
  ),
  -- First and last touch without sorting again: among the channels touching
  -- at the earliest (latest) instant, the lowest code.
  tied AS (
    SELECT s.*,
           s.earliest AND s.channel = min(s.channel) FILTER (WHERE s.earliest) OVER whole AS is_first,
           s.latest AND s.channel = min(s.channel) FILTER (WHERE s.latest) OVER whole AS is_last
      FROM share AS s
    WINDOW whole AS (PARTITION BY s.purchase_id)
  ),
  floored AS (
    SELECT s.*,
           s.revenue * s.touches / s.all_touches AS linear_base,
           s.revenue * s.touches % s.all_touches AS linear_rest,
           floor(s.revenue * s.decay_ratio)::bigint AS decay_base,
           s.revenue * s.decay_ratio - floor(s.revenue * s.decay_ratio) AS decay_rest
      FROM tied AS s
  )
  SELECT tenant AS tenant_id, f.purchase_id AS event_id, f.channel::text AS channel, f.currency, f.occurred_at,
         CASE WHEN f.is_last THEN f.revenue ELSE 0 END AS last_touch_cents,
         CASE WHEN f.is_first THEN f.revenue ELSE 0 END AS first_touch_cents,
         f.linear_base + (row_number() OVER (PARTITION BY f.purchase_id ORDER BY f.linear_rest DESC, f.channel)
                          <= f.revenue - sum(f.linear_base) OVER (PARTITION BY f.purchase_id))::int AS linear_cents,
         f.decay_base + (row_number() OVER (PARTITION BY f.purchase_id ORDER BY f.decay_rest DESC, f.channel)
                         <= f.revenue - sum(f.decay_base) OVER (PARTITION BY f.purchase_id))::int AS time_decay_cents,
         round(f.touches::numeric / f.all_touches, 10)::numeric(11, 10) AS linear_ratio,
         round(f.decay_ratio::numeric, 10)::numeric(11, 10) AS time_decay_ratio,
         'v1'::text AS model_version
    FROM floored AS f;

  DELETE FROM skeldir.attribution_credits AS c
   USING skeldir.attribution_events AS p
   WHERE c.tenant_id = tenant AND p.tenant_id = tenant AND c.event_id = p.id
     AND p.event_type = 'purchase' AND p.occurred_at >= window_start AND p.occurred_at < window_end
     AND NOT EXISTS (SELECT FROM attribution_window AS w
                      WHERE w.event_id = c.event_id AND w.channel = c.channel
                        AND (w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents,
                             w.time_decay_cents, w.linear_ratio, w.time_decay_ratio, w.model_version)
                          = (c.currency, c.occurred_at, c.last_touch_cents, c.first_touch_cents, c.linear_cents,
                             c.time_decay_cents, c.linear_ratio, c.time_decay_ratio, c.model_version));
  GET DIAGNOSTICS removed = ROW_COUNT;

  INSERT INTO skeldir.attribution_credits
  SELECT * FROM attribution_window AS w
   WHERE NOT EXISTS (SELECT FROM skeldir.attribution_credits AS c
                      WHERE c.tenant_id = tenant AND c.event_id = w.event_id AND c.channel = w.channel);
  GET DIAGNOSTICS written = ROW_COUNT;
  DROP TABLE attribution_window;
  RETURN removed + written;
END
$$;

-- The job body: recompute args.window_start .. args.window_end (or the UTC
-- day args.day) for the job's tenant.
CREATE FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  from_ts timestamptz := coalesce((args ->> 'window_start')::timestamptz, ((args ->> 'day')::date)::timestamp AT TIME ZONE 'UTC');
  to_ts timestamptz := coalesce((args ->> 'window_end')::timestamptz, from_ts + interval '1 day');
BEGIN
  IF skeldir.current_tenant_id() IS NULL OR from_ts IS NULL THEN
    RAISE EXCEPTION 'attribution.recompute needs a tenant and a window (day, or window_start and window_end)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF skeldir.recompute_attribution(from_ts, to_ts) > 0 THEN
    PERFORM skeldir.request_matview_refreshes_reading('skeldir.attribution_credits');
  END IF;
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('attribution.recompute', 'attribution', 'worker.attribution_recompute', '300 seconds', '360 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'attribution.recompute';
DROP FUNCTION worker.attribution_recompute(jsonb, bigint);
DROP FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz);
