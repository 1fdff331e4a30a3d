-- migrate:up
-- A recompute reaches the stored credits it revises or withdraws by their
-- keys, not by the ctids it read them at (issue 16): Citus refuses a
-- modification that compares ctid ('Recursively planned distributed
-- modifications with ctid on where clause are not supported', make
-- test-citus, every recompute). The writes of a recompute of a few
-- purchases still go straight to them, whatever the credits' statistics
-- say (20261204040400): the primary key's (tenant_id, event_id) prefix,
-- for the purchases computed. It says it is the writer
-- (skeldir.attribution_writer, which keeps the tenant's marks) with SET
-- LOCAL, which Citus carries to the shards whose triggers read it
-- (20261204080500). The rest is as in 20261204050300.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.recompute_attribution(window_start timestamptz, window_end timestamptz,
                                                         reason text DEFAULT 'recompute requested', job_id bigint DEFAULT NULL)
 RETURNS bigint
 LANGUAGE plpgsql
 SET jit TO 'off'
 SET max_parallel_workers_per_gather TO '0'
 SET work_mem TO '128MB'
 SET plan_cache_mode TO 'force_custom_plan'
 SET enable_hashagg TO 'off'
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  long boolean := window_end >= window_start + interval '30 days';
  seen record;
  changes bigint;
  this_definition text;
  this_system bigint;
  since xid8;        -- the best mark of a window holding this one
  upto xid8;         -- what this recompute will have seen
  affected uuid[];   -- the purchases (events) to compute; NULL: every one of the window
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'recompute_attribution needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Recomputes of one tenant take turns (skeldir.turns), so two that overlap
  -- never both insert a purchase's rows; the statement after the turn sees
  -- what the previous holder committed.
  PERFORM skeldir.take_turns('recompute_attribution/' || tenant);

  IF long THEN
    SELECT (SELECT count(*) FROM skeldir.attribution_events AS e
             WHERE e.tenant_id = tenant
               AND e.occurred_at >= window_start - interval '30 days' AND e.occurred_at < window_end) AS events,
           (SELECT count(*) FROM skeldir.attribution_events AS e
             WHERE e.tenant_id = tenant AND e.order_id IS NOT NULL) AS order_events,
           (SELECT md5(p.prosrc) FROM pg_proc AS p
             WHERE p.oid = 'skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint)'::regprocedure)
             AS definition,
           EXISTS (SELECT 1 FROM skeldir.attribution_credits AS c
                    WHERE c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end)
             AS credited
      INTO seen;
    IF EXISTS (SELECT 1 FROM skeldir.attribution_recomputes AS r
                WHERE r.tenant_id = tenant AND r.window_start = recompute_attribution.window_start
                  AND r.window_end = recompute_attribution.window_end
                  AND (r.events, r.order_events, r.definition, r.credited)
                    = (seen.events, seen.order_events, seen.definition, seen.credited)) THEN
      RETURN 0;
    END IF;
  END IF;

  -- Marks (skeldir.attribution_marks): the xmin of this statement's
  -- snapshot, lowered to this transaction's id when it has one (its own
  -- events are visible to it but are not below the xmin), taken before
  -- computing: every event committed below it is visible to the computing
  -- statement. With a mark of a window holding this one, only the
  -- purchases that events arrived since (at or above the mark) can reach
  -- are computed: those of the orders of such events, those of their
  -- sessions dated in the 30 days after them (31: a superset whatever the
  -- session's time zone does to day arithmetic), and those events
  -- themselves; every other purchase of the window has, by the mark, the
  -- credits it would get. Over 1,000 such events, the window is computed
  -- whole (it reads less than looking each one up).
  this_definition := (SELECT md5(p.prosrc) FROM pg_proc AS p
                  WHERE p.oid = 'skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint)'::regprocedure);
  this_system := (pg_control_system()).system_identifier;
  upto := least(pg_snapshot_xmin(pg_current_snapshot()), pg_current_xact_id_if_assigned());
  since := (SELECT max(m.seen) FROM skeldir.attribution_marks AS m
             WHERE m.tenant_id = tenant AND m.window_start <= recompute_attribution.window_start
               AND m.window_end >= recompute_attribution.window_end
               AND m.definition = this_definition AND m.system = this_system);
  IF since IS NOT NULL THEN
    WITH arrived AS MATERIALIZED (
      SELECT e.id, e.event_type, e.order_id, e.session_id, e.occurred_at
        FROM skeldir.attribution_events AS e
       WHERE e.tenant_id = tenant AND e.arrived_xid >= since
       -- (in the index's order: whatever the statistics, the index is read)
       ORDER BY e.arrived_xid
       LIMIT 1001
    )
    SELECT CASE WHEN (SELECT count(*) FROM arrived) <= 1000 THEN
             ARRAY(SELECT DISTINCT r.id
                     FROM arrived AS a
                    CROSS JOIN LATERAL (
                      SELECT p.id FROM skeldir.attribution_events AS p
                       WHERE p.tenant_id = tenant AND p.order_id = a.order_id AND p.event_type = 'purchase'
                         AND p.occurred_at >= window_start AND p.occurred_at < window_end
                      UNION ALL
                      SELECT p.id FROM skeldir.attribution_events AS p
                       WHERE a.event_type <> 'refund'
                         AND p.tenant_id = tenant AND p.session_id = a.session_id AND p.event_type = 'purchase'
                         AND p.occurred_at BETWEEN a.occurred_at AND a.occurred_at + interval '31 days'
                         AND p.occurred_at >= window_start AND p.occurred_at < window_end
                      UNION ALL
                      SELECT a.id
                       WHERE a.event_type = 'purchase' AND a.occurred_at >= window_start AND a.occurred_at < window_end
                    ) AS r)
           END
      INTO affected;
  END IF;

  IF affected = '{}' THEN
    changes := 0;
  ELSE
  -- The write is the recompute's own: it keeps the tenant's marks
  -- (skeldir.forget_attribution_recomputes).
  EXECUTE format('SET LOCAL skeldir.attribution_writer = %L', tenant);

  WITH purchase AS MATERIALIZED (
    SELECT p.id, p.session_id, p.occurred_at, p.revenue_cents, p.currency, p.channel
      FROM skeldir.attribution_events AS p
     WHERE p.tenant_id = tenant AND p.event_type = 'purchase' AND p.revenue_cents > 0
       AND p.occurred_at >= window_start AND p.occurred_at < window_end
       AND (affected IS NULL OR p.id = ANY (affected))
       -- An order is one purchase however many webhooks announce it
       -- (orders/create and orders/paid; a shop's order and the processor's
       -- charge for it). The one attributed is the event that carries the
       -- customer's context: one with a session first, then a shop's
       -- (Shopify, WooCommerce) before a processor's, then the earliest. A
       -- processor's charge a few seconds before the shop's order must not
       -- take the credit away from the session that led to it.
       AND NOT EXISTS (SELECT 1 FROM skeldir.attribution_events AS q
                        WHERE q.tenant_id = tenant AND q.order_id = p.order_id AND q.event_type = 'purchase'
                          AND q.revenue_cents > 0
                          AND (q.session_id IS NULL, q.vendor NOT IN ('shopify', 'woocommerce'), q.occurred_at, q.id)
                            < (p.session_id IS NULL, p.vendor NOT IN ('shopify', 'woocommerce'), p.occurred_at, p.id))
  ),
  -- A purchase's touches: the events of its session within the 30 days up to
  -- it, refunds excluded (a refund is no marketing touch), and the order
  -- events of one order (orders/create then orders/paid, a shop's order and
  -- its charge) one touch, the one ranked first as purchases are ranked above
  -- (for the purchase's own order: the purchase itself); a checkout or a
  -- visit is a touch of its own (skeldir.touch_key, as two keys).
  session_touch AS (
    SELECT DISTINCT ON (p.id, k.order_key, k.event_key)
           p.id AS purchase_id, t.channel COLLATE "C" AS channel, t.occurred_at,
           power(2::float8, -extract(epoch FROM p.occurred_at - t.occurred_at)::float8 / 604800) AS decay
      FROM purchase AS p
      JOIN skeldir.attribution_events AS t
        ON t.tenant_id = tenant AND t.session_id = p.session_id AND t.event_type <> 'refund'
       AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
     CROSS JOIN LATERAL (
       SELECT CASE WHEN t.event_type IN ('purchase', 'order_update') AND t.order_id IS NOT NULL
                   THEN t.order_id END COLLATE "C" AS order_key,
              CASE WHEN t.event_type IN ('purchase', 'order_update') AND t.order_id IS NOT NULL
                   THEN NULL ELSE t.id END AS event_key) AS k
     ORDER BY p.id, k.order_key, k.event_key, t.vendor NOT IN ('shopify', 'woocommerce'), t.occurred_at, t.id
  ),
  -- A purchase without a session is its own single touch.
  per_channel AS (
    SELECT s.purchase_id, s.channel, count(*) AS touches, sum(s.decay) AS decay,
           min(s.occurred_at) AS first_at, max(s.occurred_at) AS last_at
      FROM session_touch AS s
     GROUP BY s.purchase_id, s.channel
    UNION ALL
    SELECT p.id, p.channel COLLATE "C", 1, 1, p.occurred_at, p.occurred_at FROM purchase AS p WHERE p.session_id IS NULL
  ),
  -- Per purchase, over its channels in code order: the totals of the path,
  -- direct traffic as GA4 counts it (a direct touch counts only on a path
  -- where every touch is direct: the totals of the other channels when
  -- there are any, else of direct alone).
  whole AS (
    SELECT c.purchase_id, c.channel, c.touches, c.decay, c.first_at, c.last_at,
           count(*) FILTER (WHERE c.channel <> 'direct') OVER w AS others,
           sum(c.touches) FILTER (WHERE c.channel <> 'direct') OVER w AS others_touches,
           sum(c.touches) OVER w AS all_touches,
           sum(c.decay) FILTER (WHERE c.channel <> 'direct') OVER w AS others_decay,
           sum(c.decay) OVER w AS all_decay,
           min(c.first_at) FILTER (WHERE c.channel <> 'direct') OVER w AS others_first,
           min(c.first_at) OVER w AS all_first,
           max(c.last_at) FILTER (WHERE c.channel <> 'direct') OVER w AS others_last,
           max(c.last_at) OVER w AS all_last
      FROM per_channel AS c
    WINDOW w AS (PARTITION BY c.purchase_id ORDER BY c.channel ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  share AS (
    SELECT s.purchase_id, s.channel, p.revenue_cents AS revenue, p.currency, p.occurred_at, s.touches, s.all_touches,
           s.decay_ratio, s.earliest, s.latest,
           p.revenue_cents * s.touches / s.all_touches AS linear_base,
           p.revenue_cents * s.touches % s.all_touches AS linear_rest,
           floor(p.revenue_cents * s.decay_ratio)::bigint AS decay_base,
           p.revenue_cents * s.decay_ratio - floor(p.revenue_cents * s.decay_ratio) AS decay_rest
      FROM (SELECT s.purchase_id, s.channel, s.touches,
                   (CASE WHEN s.others > 0 THEN s.others_touches ELSE s.all_touches END)::bigint AS all_touches,
                   s.decay / CASE WHEN s.others > 0 THEN s.others_decay ELSE s.all_decay END AS decay_ratio,
                   s.first_at = CASE WHEN s.others > 0 THEN s.others_first ELSE s.all_first END AS earliest,
                   s.last_at = CASE WHEN s.others > 0 THEN s.others_last ELSE s.all_last END AS latest
              FROM whole AS s
             WHERE s.channel <> 'direct' OR s.others = 0) AS s
      JOIN purchase AS p ON p.id = s.purchase_id
  ),
  -- Largest remainder, one ordering per model: a channel's share rounded
  -- down, plus a cent for each of the channels with the largest remainders
  -- (ties to the lower code) until the purchase's revenue is reached. First
  -- and last touch without sorting again: among the channels touching at the
  -- earliest (latest) instant, the lowest code.
  ranked AS (
    SELECT s.*,
           s.linear_base + (row_number() OVER lin <= s.revenue - sum(s.linear_base) OVER lin)::int AS linear_cents,
           s.decay_base + (row_number() OVER dec <= s.revenue - sum(s.decay_base) OVER dec)::int AS time_decay_cents,
           s.earliest AND s.channel = min(s.channel) FILTER (WHERE s.earliest) OVER lin AS is_first,
           s.latest AND s.channel = min(s.channel) FILTER (WHERE s.latest) OVER lin AS is_last
      FROM share AS s
    WINDOW lin AS (PARTITION BY s.purchase_id ORDER BY s.linear_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
           dec AS (PARTITION BY s.purchase_id ORDER BY s.decay_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  -- Position based, in whole weights: of n touches, one takes 1 of 1, two
  -- take 1 of 2 each, and from three on the first and the last take 4(n-2)
  -- each and every touch between 2, of 10(n-2): 40 %, 40 % and 20 % spread
  -- evenly. A channel's weight is that of its touches, so the first and last
  -- touch come from the same tie-break as first and last touch above.
  weighted AS (
    SELECT s.*, s.revenue * s.position_weight / s.all_weight AS position_base,
           s.revenue * s.position_weight % s.all_weight AS position_rest
      FROM (SELECT s.*,
                   CASE WHEN s.all_touches <= 2 THEN s.touches
                        ELSE 2 * s.touches + (s.is_first::int + s.is_last::int) * (4 * (s.all_touches - 2) - 2) END
                     AS position_weight,
                   CASE WHEN s.all_touches <= 2 THEN s.all_touches ELSE 10 * (s.all_touches - 2) END AS all_weight
              FROM ranked AS s) AS s
  ),
  computed AS (
    SELECT s.purchase_id AS event_id, s.channel::text COLLATE "default" AS channel, s.currency, s.occurred_at,
           CASE WHEN s.is_last THEN s.revenue ELSE 0 END AS last_touch_cents,
           CASE WHEN s.is_first THEN s.revenue ELSE 0 END AS first_touch_cents,
           s.linear_cents, s.time_decay_cents,
           round(s.touches::numeric / s.all_touches, 10)::numeric(11, 10) AS linear_ratio,
           round(s.decay_ratio::numeric, 10)::numeric(11, 10) AS time_decay_ratio,
           'v1'::text AS model_version,
           s.position_base + (row_number() OVER pos <= s.revenue - sum(s.position_base) OVER pos)::int
             AS position_based_cents,
           round(s.position_weight::numeric / s.all_weight, 10)::numeric(11, 10) AS position_based_ratio
      FROM weighted AS s
    WINDOW pos AS (PARTITION BY s.purchase_id ORDER BY s.position_rest DESC, s.channel
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ),
  -- The credits stored for the purchases of the window (a credit carries
  -- its purchase's time), or for the purchases to compute, each looked up
  -- by its key, and what differs from them. (The planner must not be
  -- free to do otherwise: right after a recompute from scratch the
  -- credits' statistics may be those of the emptied table, one row, and
  -- it then read the tenant's whole index for a purchase's rows.) The
  -- writes below reach the purchases to compute by their keys, for the
  -- same reason.
  stored AS (
    SELECT c.event_id, c.channel, c.currency, c.occurred_at, c.last_touch_cents,
           c.first_touch_cents, c.linear_cents, c.time_decay_cents, c.linear_ratio, c.time_decay_ratio,
           c.model_version, c.position_based_cents, c.position_based_ratio
      FROM skeldir.attribution_credits AS c
     WHERE affected IS NULL
       AND c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end
    UNION ALL
    SELECT c.*
      FROM unnest(affected) AS a(id)
     CROSS JOIN LATERAL (
       SELECT c.event_id, c.channel, c.currency, c.occurred_at, c.last_touch_cents,
              c.first_touch_cents, c.linear_cents, c.time_decay_cents, c.linear_ratio, c.time_decay_ratio,
              c.model_version, c.position_based_cents, c.position_based_ratio
         FROM skeldir.attribution_credits AS c
        WHERE c.tenant_id = tenant AND c.event_id = a.id
       OFFSET 0) AS c
  ),
  diff AS MATERIALIZED (
    SELECT coalesce(w.event_id, c.event_id) AS event_id, coalesce(w.channel, c.channel) AS channel,
           w.event_id IS NOT NULL AS computed, c.event_id IS NOT NULL AS stored,
           w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents, w.time_decay_cents,
           w.linear_ratio, w.time_decay_ratio, w.model_version, w.position_based_cents, w.position_based_ratio,
           c.currency AS was_currency, c.occurred_at AS was_occurred_at, c.last_touch_cents AS was_last_touch_cents,
           c.first_touch_cents AS was_first_touch_cents, c.linear_cents AS was_linear_cents,
           c.time_decay_cents AS was_time_decay_cents, c.linear_ratio AS was_linear_ratio,
           c.time_decay_ratio AS was_time_decay_ratio, c.model_version AS was_model_version,
           c.position_based_cents AS was_position_based_cents, c.position_based_ratio AS was_position_based_ratio
      FROM computed AS w FULL JOIN stored AS c ON c.event_id = w.event_id AND c.channel = w.channel
     WHERE w.event_id IS NULL OR c.event_id IS NULL
        OR (w.currency, w.occurred_at, w.last_touch_cents, w.first_touch_cents, w.linear_cents, w.time_decay_cents,
            w.linear_ratio, w.time_decay_ratio, w.model_version, w.position_based_cents, w.position_based_ratio)
           <> (c.currency, c.occurred_at, c.last_touch_cents, c.first_touch_cents, c.linear_cents, c.time_decay_cents,
               c.linear_ratio, c.time_decay_ratio, c.model_version, c.position_based_cents, c.position_based_ratio)
  ),
  -- What goes is kept, as it was, in the history: revised when the channel
  -- still has a credit of the purchase (with other values), withdrawn when
  -- it has none any more.
  revised AS (
    UPDATE skeldir.attribution_credits AS c
       SET currency = d.currency, occurred_at = d.occurred_at, last_touch_cents = d.last_touch_cents,
           first_touch_cents = d.first_touch_cents, linear_cents = d.linear_cents,
           time_decay_cents = d.time_decay_cents, linear_ratio = d.linear_ratio,
           time_decay_ratio = d.time_decay_ratio, model_version = d.model_version,
           position_based_cents = d.position_based_cents, position_based_ratio = d.position_based_ratio
      FROM diff AS d
     WHERE d.computed AND d.stored AND c.tenant_id = tenant AND c.event_id = d.event_id AND c.channel = d.channel
       AND (affected IS NULL OR c.event_id = ANY (affected))
    RETURNING d.*
  ),
  withdrawn AS (
    DELETE FROM skeldir.attribution_credits AS c
     USING diff AS d
     WHERE NOT d.computed AND c.tenant_id = tenant AND c.event_id = d.event_id AND c.channel = d.channel
       AND (affected IS NULL OR c.event_id = ANY (affected))
    RETURNING d.*
  ),
  added AS (
    INSERT INTO skeldir.attribution_credits
      (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents, linear_cents,
       time_decay_cents, linear_ratio, time_decay_ratio, model_version, position_based_cents, position_based_ratio)
    SELECT tenant, d.event_id, d.channel, d.currency, d.occurred_at, d.last_touch_cents, d.first_touch_cents,
           d.linear_cents, d.time_decay_cents, d.linear_ratio, d.time_decay_ratio, d.model_version,
           d.position_based_cents, d.position_based_ratio
      FROM diff AS d
     WHERE NOT d.stored
    RETURNING 1
  ),
  superseded AS (
    INSERT INTO skeldir.attribution_credit_history
      (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents, linear_cents,
       time_decay_cents, position_based_cents, linear_ratio, time_decay_ratio, position_based_ratio, model_version,
       change, reason, job_id)
    SELECT tenant, s.event_id, s.channel, s.was_currency, s.was_occurred_at, s.was_last_touch_cents,
           s.was_first_touch_cents, s.was_linear_cents, s.was_time_decay_cents, s.was_position_based_cents,
           s.was_linear_ratio, s.was_time_decay_ratio, s.was_position_based_ratio, s.was_model_version,
           CASE WHEN s.computed THEN 'revised' ELSE 'withdrawn' END,
           recompute_attribution.reason, recompute_attribution.job_id
      FROM (SELECT * FROM revised UNION ALL SELECT * FROM withdrawn) AS s
    RETURNING change
  )
  SELECT count(*) FILTER (WHERE change = 'revised') * 2 + count(*) FILTER (WHERE change = 'withdrawn')
         + (SELECT count(*) FROM added)
    INTO changes
    FROM superseded;
  SET LOCAL skeldir.attribution_writer = '';
  END IF;

  -- (after the write, which keeps the marks of the tenant's other windows)
  INSERT INTO skeldir.attribution_marks AS m (tenant_id, window_start, window_end, seen, definition, system)
  VALUES (tenant, window_start, window_end, upto, this_definition, this_system)
  ON CONFLICT ON CONSTRAINT attribution_marks_pkey DO UPDATE
    SET seen = excluded.seen, definition = excluded.definition, system = excluded.system,
        marked_at = excluded.marked_at;
  -- Marks of windows inside this one that say no more than it does.
  DELETE FROM skeldir.attribution_marks AS m
   WHERE m.tenant_id = tenant AND m.window_start >= recompute_attribution.window_start
     AND m.window_end <= recompute_attribution.window_end
     AND (m.window_start, m.window_end) <> (recompute_attribution.window_start, recompute_attribution.window_end)
     AND m.seen <= upto;

  -- (after the write, which forgets what was recorded)
  IF long THEN
    INSERT INTO skeldir.attribution_recomputes AS r
      (tenant_id, window_start, window_end, events, order_events, definition, credited)
    SELECT tenant, window_start, window_end, seen.events, seen.order_events, seen.definition,
           EXISTS (SELECT 1 FROM skeldir.attribution_credits AS c
                    WHERE c.tenant_id = tenant AND c.occurred_at >= window_start AND c.occurred_at < window_end)
    ON CONFLICT ON CONSTRAINT attribution_recomputes_pkey DO UPDATE
      SET events = excluded.events, order_events = excluded.order_events, definition = excluded.definition,
          credited = excluded.credited, recomputed_at = excluded.recomputed_at;
  END IF;
  RETURN changes;
END
$function$;

COMMENT ON FUNCTION skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint) IS
  'Recomputes the tenant''s credits of purchases in [window_start, window_end) in one statement, writing only what differs and keeping what it supersedes in the history.';

-- migrate:down
-- (Forward only, README "Migrations": skeldir.recompute_attribution keeps this
-- body; 20261204050300 defines the one before.)
