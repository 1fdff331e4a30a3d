-- migrate:up
-- The four attribution models of SPEC §6.2, set-based, for the tenant in the
-- current context and the purchases of one window [window_start, window_end).
--
-- A purchase's touchpoints are the events of its session within the 30 days
-- up to it (itself included); a purchase without a session is its own single
-- touch. Weights per touch: last_touch and first_touch 1 for the latest
-- (earliest) touch; linear 1 each; time_decay 2^(-age / 7 days). A channel's
-- share is its touches' weight over the purchase's; minor units are the
-- floor of revenue x share, and the cents left over go one each to the
-- largest remainders (ties: channel code). Same inputs, same rows, whatever
-- runs it and however often: the replace is one statement, so concurrent
-- recomputes of a window serialize on its rows and write what the other wrote.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.recompute_attribution(window_start timestamptz, window_end timestamptz)
RETURNS bigint
LANGUAGE sql VOLATILE
-- The plan is made before the window's size is known (every CTE estimated at
-- a handful of rows), and a nested loop over two CTEs of hundreds of
-- thousands of rows never ends; hash and merge joins are right at any size.
SET enable_nestloop = off
BEGIN ATOMIC
  WITH purchase AS (
    SELECT p.tenant_id, p.id, p.session_id, p.occurred_at, p.revenue_cents, p.currency, p.channel
      FROM skeldir.attribution_events AS p
     WHERE p.tenant_id = (SELECT skeldir.current_tenant_id())
       AND p.event_type = 'purchase' AND p.revenue_cents > 0
       AND p.occurred_at >= window_start AND p.occurred_at < window_end
  ),
  touch AS (
    SELECT p.id AS purchase_id, t.id AS touch_id, t.occurred_at, t.channel,
           extract(epoch FROM p.occurred_at - t.occurred_at) AS age_seconds
      FROM purchase AS p
      JOIN skeldir.attribution_events AS t
        ON t.tenant_id = p.tenant_id AND t.session_id = p.session_id
       AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
     WHERE p.session_id IS NOT NULL
    UNION ALL
    SELECT p.id, p.id, p.occurred_at, p.channel, 0
      FROM purchase AS p
     WHERE p.session_id IS NULL
  ),
  ranked AS (
    SELECT t.*,
           row_number() OVER (PARTITION BY t.purchase_id ORDER BY t.occurred_at DESC, t.touch_id DESC) AS from_last,
           row_number() OVER (PARTITION BY t.purchase_id ORDER BY t.occurred_at, t.touch_id) AS from_first
      FROM touch AS t
  ),
  weight AS (
    SELECT r.purchase_id, m.model, r.channel, sum(m.w) AS w
      FROM ranked AS r
     CROSS JOIN LATERAL (VALUES
       ('last_touch'::skeldir.attribution_model,  (r.from_last = 1)::int::float8),
       ('first_touch'::skeldir.attribution_model, (r.from_first = 1)::int::float8),
       ('linear'::skeldir.attribution_model,      1::float8),
       ('time_decay'::skeldir.attribution_model,  power(2::float8, -r.age_seconds / 604800))
     ) AS m(model, w)
     GROUP BY r.purchase_id, m.model, r.channel
    HAVING sum(m.w) > 0
  ),
  share AS (
    SELECT w.purchase_id, w.model, w.channel, w.w / sum(w.w) OVER (PARTITION BY w.purchase_id, w.model) AS ratio,
           p.revenue_cents, p.currency, p.occurred_at, p.tenant_id
      FROM weight AS w JOIN purchase AS p ON p.id = w.purchase_id
  ),
  floored AS (
    SELECT s.*, floor(s.revenue_cents * s.ratio)::bigint AS base,
           s.revenue_cents * s.ratio - floor(s.revenue_cents * s.ratio) AS remainder
      FROM share AS s
  ),
  allocation AS (
    SELECT f.tenant_id, f.purchase_id, f.model, f.channel, f.ratio, f.currency, f.occurred_at,
           f.base + (row_number() OVER (PARTITION BY f.purchase_id, f.model ORDER BY f.remainder DESC, f.channel)
                     <= f.revenue_cents - sum(f.base) OVER (PARTITION BY f.purchase_id, f.model))::int AS cents
      FROM floored AS f
  ),
  stale AS (
    DELETE FROM skeldir.attribution_allocations AS a
     USING purchase AS p
     WHERE a.tenant_id = p.tenant_id AND a.event_id = p.id
       AND NOT EXISTS (SELECT FROM allocation AS n
                        WHERE n.purchase_id = a.event_id AND n.model = a.model AND n.channel = a.channel)
    RETURNING 1
  ),
  written AS (
    INSERT INTO skeldir.attribution_allocations AS a
      (tenant_id, event_id, model, channel, allocated_cents, ratio, currency, occurred_at, model_version)
    SELECT n.tenant_id, n.purchase_id, n.model, n.channel, n.cents, round(n.ratio::numeric, 10), n.currency, n.occurred_at, 'v1'
      FROM allocation AS n
    ON CONFLICT (tenant_id, event_id, model, channel) DO UPDATE
       SET allocated_cents = excluded.allocated_cents, ratio = excluded.ratio, currency = excluded.currency,
           occurred_at = excluded.occurred_at, model_version = excluded.model_version
     WHERE (a.allocated_cents, a.ratio, a.currency, a.occurred_at, a.model_version)
           IS DISTINCT FROM (excluded.allocated_cents, excluded.ratio, excluded.currency, excluded.occurred_at,
                             excluded.model_version)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM stale);
END;

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
  PERFORM skeldir.recompute_attribution(from_ts, to_ts);
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('attribution.recompute', 'attribution', 'worker.attribution_recompute', '300 seconds', '360 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'attribution.recompute';
DROP FUNCTION worker.attribution_recompute(jsonb, bigint);
DROP FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz);
