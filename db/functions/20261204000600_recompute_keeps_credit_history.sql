-- migrate:up
-- The recompute keeps the history of attribution (20261204000400): every
-- credit row it replaces or removes goes to skeldir.attribution_credit_history
-- in the same statement, with why the recompute ran (reason: the job's cause,
-- or the caller's) and the job that ran it. A recompute that finds nothing
-- new still writes nothing, history included. Its turn per tenant is now a
-- row lock (skeldir.take_turns) instead of an advisory lock. The rest is as
-- in 20261202004300. The job body passes its cause: args.reason when the
-- requester gave one, else the day whose purchases it recomputes.
SET LOCAL ROLE skeldir_owner;

DROP FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz);

CREATE FUNCTION skeldir.recompute_attribution(window_start timestamptz, window_end timestamptz,
                                              reason text DEFAULT 'recompute requested', job_id bigint DEFAULT NULL)
 RETURNS bigint
 LANGUAGE plpgsql
 SET enable_nestloop TO 'off'
 SET jit TO 'off'
 SET max_parallel_workers_per_gather TO '0'
 SET enable_hashagg TO 'off'
 SET work_mem TO '128MB'
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  removed bigint;
  written bigint;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'recompute_attribution needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Recomputes of one tenant take turns (skeldir.turns), so two that overlap
  -- never both insert a purchase's rows; each statement after the turn sees
  -- what the previous holder committed.
  PERFORM skeldir.take_turns('recompute_attribution/' || tenant);

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
       -- charge for it). The one attributed is the event that carries the
       -- customer's context: one with a session first, then a shop's
       -- (Shopify, WooCommerce) before a processor's, then the earliest. A
       -- processor's charge a few seconds before the shop's order must not
       -- take the credit away from the session that led to it.
       AND NOT EXISTS (SELECT FROM skeldir.attribution_events AS q
                        WHERE q.tenant_id = tenant AND q.order_id = p.order_id AND q.event_type = 'purchase'
                          AND q.revenue_cents > 0
                          AND (q.session_id IS NULL, q.vendor NOT IN ('shopify', 'woocommerce'), q.occurred_at, q.id)
                            < (p.session_id IS NULL, p.vendor NOT IN ('shopify', 'woocommerce'), p.occurred_at, p.id))
  ),
  -- A purchase's touches: the events of its session within the 30 days up to
  -- it, refunds excluded (a refund is no marketing touch), and the order
  -- events of one order (orders/create then orders/paid, a shop's order and
  -- its charge) one touch; a checkout or a visit is a touch of its own.
  session_touch AS (
    SELECT DISTINCT ON (p.id, skeldir.touch_key(t.event_type, t.order_id, t.id))
           p.id AS purchase_id, t.channel, t.occurred_at, p.occurred_at AS purchased_at
      FROM purchase AS p
      JOIN skeldir.attribution_events AS t
        ON t.tenant_id = tenant AND t.session_id = p.session_id AND t.event_type <> 'refund'
       AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
     -- an order's touch is its event ranked as purchases are ranked above
     -- (for the purchase's own order: the purchase itself)
     ORDER BY p.id, skeldir.touch_key(t.event_type, t.order_id, t.id), t.session_id IS NULL,
              t.vendor NOT IN ('shopify', 'woocommerce'), t.occurred_at, t.id
  ),
  touch AS (
    -- Direct traffic as Google Analytics 4 treats it: a direct touch counts
    -- only on a path where every touch is direct.
    SELECT s.purchase_id, s.channel, s.occurred_at,
           power(2::float8, -extract(epoch FROM s.purchased_at - s.occurred_at)::float8 / 604800) AS decay
      FROM (SELECT st.*, bool_and(st.channel = 'direct') OVER (PARTITION BY st.purchase_id) AS all_direct
              FROM session_touch AS st) AS s
     WHERE s.channel <> 'direct' OR s.all_direct
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
  -- Position based, in whole weights: of n touches, one takes 1 of 1, two
  -- take 1 of 2 each, and from three on the first and the last take 4(n-2)
  -- each and every touch between 2, of 10(n-2): 40 %, 40 % and 20 % spread
  -- evenly. A channel's weight is that of its touches, so the first and last
  -- touch come from the same tie-break as first and last touch above, and no
  -- touch needs its own position (no sort beyond the one already made).
  weighted AS (
    SELECT s.*,
           CASE WHEN s.all_touches <= 2 THEN s.touches
                ELSE 2 * s.touches + (s.is_first::int + s.is_last::int) * (4 * (s.all_touches - 2) - 2) END
             AS position_weight,
           CASE WHEN s.all_touches <= 2 THEN s.all_touches ELSE 10 * (s.all_touches - 2) END AS all_weight
      FROM tied AS s
  ),
  floored AS (
    SELECT s.*,
           s.revenue * s.touches / s.all_touches AS linear_base,
           s.revenue * s.touches % s.all_touches AS linear_rest,
           s.revenue * s.position_weight / s.all_weight AS position_base,
           s.revenue * s.position_weight % s.all_weight AS position_rest,
           floor(s.revenue * s.decay_ratio)::bigint AS decay_base,
           s.revenue * s.decay_ratio - floor(s.revenue * s.decay_ratio) AS decay_rest
      FROM weighted AS s
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
         'v1'::text AS model_version,
         f.position_base + (row_number() OVER (PARTITION BY f.purchase_id ORDER BY f.position_rest DESC, f.channel)
                            <= f.revenue - sum(f.position_base) OVER (PARTITION BY f.purchase_id))::int
           AS position_based_cents,
         round(f.position_weight::numeric / f.all_weight, 10)::numeric(11, 10) AS position_based_ratio
    FROM floored AS f;

  -- What goes is kept, as it was, in the history: revised when the channel
  -- still has a credit of the purchase (with other values), withdrawn when
  -- it has none any more.
  WITH superseded AS (
  DELETE FROM skeldir.attribution_credits AS c
   USING skeldir.attribution_events AS p
   WHERE c.tenant_id = tenant AND p.tenant_id = tenant AND c.event_id = p.id
     AND p.event_type = 'purchase' AND p.occurred_at >= window_start AND p.occurred_at < window_end
     AND NOT EXISTS (SELECT FROM attribution_window AS w
                      WHERE w.event_id = c.event_id AND w.channel = c.channel
                        AND (w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents,
                             w.time_decay_cents, w.linear_ratio, w.time_decay_ratio, w.model_version,
                             w.position_based_cents, w.position_based_ratio)
                          = (c.currency, c.occurred_at, c.last_touch_cents, c.first_touch_cents, c.linear_cents,
                             c.time_decay_cents, c.linear_ratio, c.time_decay_ratio, c.model_version,
                             c.position_based_cents, c.position_based_ratio))
  RETURNING c.*
  )
  INSERT INTO skeldir.attribution_credit_history
    (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents, linear_cents,
     time_decay_cents, position_based_cents, linear_ratio, time_decay_ratio, position_based_ratio, model_version,
     change, reason, job_id)
  SELECT s.tenant_id, s.event_id, s.channel, s.currency, s.occurred_at, s.last_touch_cents, s.first_touch_cents,
         s.linear_cents, s.time_decay_cents, s.position_based_cents, s.linear_ratio, s.time_decay_ratio,
         s.position_based_ratio, s.model_version,
         CASE WHEN EXISTS (SELECT FROM attribution_window AS w WHERE w.event_id = s.event_id AND w.channel = s.channel)
              THEN 'revised' ELSE 'withdrawn' END,
         recompute_attribution.reason, recompute_attribution.job_id
    FROM superseded AS s;
  GET DIAGNOSTICS removed = ROW_COUNT;

  INSERT INTO skeldir.attribution_credits
  SELECT * FROM attribution_window AS w
   WHERE NOT EXISTS (SELECT FROM skeldir.attribution_credits AS c
                      WHERE c.tenant_id = tenant AND c.event_id = w.event_id AND c.channel = w.channel);
  GET DIAGNOSTICS written = ROW_COUNT;
  DROP TABLE attribution_window;
  RETURN removed + written;
END
$function$;

COMMENT ON FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint) IS
  'Recomputes the tenant''s credits of purchases in [window_start, window_end), writing only what differs and keeping what it supersedes in the history.';

CREATE OR REPLACE FUNCTION worker.attribution_recompute(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  from_ts timestamptz := coalesce((args ->> 'window_start')::timestamptz, ((args ->> 'day')::date)::timestamp AT TIME ZONE 'UTC');
  to_ts timestamptz := coalesce((args ->> 'window_end')::timestamptz, from_ts + interval '1 day');
  reason text := coalesce(nullif(args ->> 'reason', ''),
                          CASE WHEN args ? 'day' THEN 'new events for the purchases of ' || (args ->> 'day')
                               ELSE format('recompute of [%s, %s)', from_ts, to_ts) END);
BEGIN
  IF skeldir.current_tenant_id() IS NULL OR from_ts IS NULL THEN
    RAISE EXCEPTION 'attribution.recompute needs a tenant and a window (day, or window_start and window_end)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF skeldir.recompute_attribution(from_ts, to_ts, reason, job_id) > 0 THEN
    PERFORM skeldir.request_matview_refreshes_reading('skeldir.attribution_credits');
  END IF;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
-- (worker.attribution_recompute keeps this body, which also runs the
-- two-argument recompute that 20261202004300 defines.)
DROP FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint);
