-- migrate:up
-- skeldir.reconcile runs on Citus (issue 16). Each statement names the
-- tenant, the run's row is locked on its shard (FOR UPDATE needs the
-- tenant compared with a value there: 'could not run distributed query
-- with FOR UPDATE/SHARE commands', make test-citus, every run), and:
--
-- - Its two writes from a query (the run's results, the platforms'
--   status) return their rows. Citus writes the rows of an INSERT ... SELECT
--   it cannot run on the shard itself by COPY into the shard, which the
--   shards' forced row-level security refuses ('COPY FROM not supported
--   with row-level security'); rows returned must be inserted with INSERT.
-- - A rerun of an older run still leaves the status a newer run stands for,
--   but the newer runs are looked up before the upsert, with the tenant's
--   status rows locked first, instead of in its ON CONFLICT ... WHERE
--   (Citus takes only immutable expressions there): the same rows kept,
--   under the same locks.
--
-- The rest is as in 20261126007700 and the migrations that rewrote it.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.reconcile(run_id uuid) RETURNS skeldir.reconciliation_runs
LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  began timestamptz := clock_timestamp();
  finished timestamptz;
  unmatched jsonb;
  r skeldir.reconciliation_runs;
  written bigint;
  newer skeldir.vendor[];
BEGIN
  SELECT * INTO r FROM skeldir.reconciliation_runs AS x WHERE x.tenant_id = tenant AND x.id = reconcile.run_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciliation run % for the tenant in context', coalesce(run_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  DELETE FROM skeldir.reconciliation_results AS x WHERE x.tenant_id = tenant AND x.run_id = r.id;

  WITH claim AS (
    SELECT DISTINCT ON (c.vendor, c.order_id) c.vendor AS shop_platform, c.order_id, c.currency, c.occurred_at
      FROM skeldir.revenue_ledger AS c
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = c.vendor AND p.side = 'shop'
     WHERE c.tenant_id = tenant AND c.state = 'captured'
       AND c.occurred_at >= r.window_start AND c.occurred_at < r.window_end
     ORDER BY c.vendor, c.order_id, c.occurred_at, c.id
  ),
  shop_net AS (
    SELECT cl.shop_platform, cl.order_id,
           sum(CASE l.state WHEN 'captured' THEN l.amount_cents ELSE -l.amount_cents END) AS claimed_cents
      FROM claim AS cl
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.order_id = cl.order_id AND l.vendor = cl.shop_platform
       AND l.currency = cl.currency
     GROUP BY cl.shop_platform, cl.order_id
  ),
  capture AS (
    SELECT c.vendor, c.transaction_id, c.order_id
      FROM skeldir.revenue_ledger AS c
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = c.vendor AND p.side = 'processor'
     WHERE c.tenant_id = tenant AND c.state = 'captured'
       AND c.order_id IN (SELECT cl.order_id FROM claim AS cl)
  ),
  linked AS (
    SELECT 1 AS how, l.id, c.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM capture AS c
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.vendor = c.vendor AND l.transaction_id = c.transaction_id
    UNION ALL
    SELECT 2, l.id, c.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM capture AS c
      JOIN skeldir.revenue_ledger AS l
        ON l.tenant_id = tenant AND l.vendor = c.vendor AND l.order_id = c.transaction_id
       AND l.state <> 'captured'
    UNION ALL
    SELECT 3, l.id, l.order_id, l.vendor, l.state, l.amount_cents, l.currency
      FROM skeldir.revenue_ledger AS l
      JOIN skeldir.reconciliation_platforms AS p ON p.platform = l.vendor AND p.side = 'processor'
     WHERE l.tenant_id = tenant AND l.state <> 'captured'
       AND l.order_id IN (SELECT cl.order_id FROM claim AS cl)
  ),
  processor_row AS (
    SELECT DISTINCT ON (k.id) k.* FROM linked AS k ORDER BY k.id, k.how
  ),
  per_processor AS (
    SELECT cl.shop_platform, cl.order_id, pr.vendor,
           bool_or(pr.state = 'captured') AS has_capture,
           coalesce(sum(pr.amount_cents) FILTER (WHERE pr.state = 'captured' AND pr.currency = cl.currency), 0) AS gross,
           coalesce(sum(CASE pr.state WHEN 'captured' THEN pr.amount_cents ELSE -pr.amount_cents END)
                      FILTER (WHERE pr.currency = cl.currency), 0) AS net
      FROM claim AS cl
      JOIN processor_row AS pr ON pr.order_id = cl.order_id
     GROUP BY cl.shop_platform, cl.order_id, pr.vendor
  ),
  processed AS (
    SELECT pp.shop_platform, pp.order_id, sum(pp.net) AS captured_cents,
           (array_agg(pp.vendor ORDER BY pp.gross DESC, pp.vendor) FILTER (WHERE pp.has_capture))[1] AS processor_platform
      FROM per_processor AS pp
     GROUP BY pp.shop_platform, pp.order_id
  ),
  compared AS (
    SELECT cl.shop_platform, cl.order_id, cl.currency, cl.occurred_at, pd.processor_platform,
           s.claimed_cents::bigint AS claimed, coalesce(pd.captured_cents, 0)::bigint AS captured
      FROM claim AS cl
      JOIN shop_net AS s ON s.shop_platform = cl.shop_platform AND s.order_id = cl.order_id
      LEFT JOIN processed AS pd ON pd.shop_platform = cl.shop_platform AND pd.order_id = cl.order_id
  ),
  -- (returning its rows: see the header)
  result AS (
  INSERT INTO skeldir.reconciliation_results
    (tenant_id, run_id, shop_platform, order_id, processor_platform, ordered_at, currency,
     claimed_cents, captured_cents, outcome, discrepancy_bps)
  SELECT tenant, r.id, c.shop_platform, c.order_id, c.processor_platform, c.occurred_at, c.currency,
         c.claimed, c.captured,
         CASE WHEN c.claimed = c.captured THEN 'verified'
              WHEN c.processor_platform IS NULL THEN 'ghost'
              ELSE 'discrepancy' END::skeldir.reconciliation_outcome,
         CASE WHEN c.claimed <> 0 THEN round((c.captured - c.claimed)::numeric * 10000 / abs(c.claimed))::bigint END
    FROM compared AS c
  RETURNING 1
  )
  SELECT count(*) INTO written FROM result;

  finished := clock_timestamp();

  -- Captures of the window that no shop order claims, per processor.
  SELECT coalesce(jsonb_object_agg(u.vendor, u.n), '{}') INTO unmatched
    FROM (SELECT p.vendor, count(*) AS n
            FROM skeldir.revenue_ledger AS p
            JOIN skeldir.reconciliation_platforms AS rp ON rp.platform = p.vendor AND rp.side = 'processor'
           WHERE p.tenant_id = tenant AND p.state = 'captured'
             AND p.occurred_at >= r.window_start AND p.occurred_at < r.window_end
             AND NOT EXISTS (SELECT 1 FROM skeldir.revenue_ledger AS s
                               JOIN skeldir.reconciliation_platforms AS sp ON sp.platform = s.vendor AND sp.side = 'shop'
                              WHERE s.tenant_id = tenant AND s.order_id = p.order_id AND s.state = 'captured')
           GROUP BY p.vendor) AS u;

  -- The platforms whose status a newer run of the tenant stands for keep
  -- it: a rerun of an older run must not overwrite it. (Their rows are
  -- locked first, as the conflict of the upsert below would lock them.)
  PERFORM 1 FROM skeldir.reconciliation_platform_status AS s WHERE s.tenant_id = tenant FOR UPDATE;
  SELECT coalesce(array_agg(s.platform), '{}') INTO newer
    FROM skeldir.reconciliation_platform_status AS s
    JOIN skeldir.reconciliation_runs AS n ON n.tenant_id = s.tenant_id AND n.id = s.last_run_id
   WHERE s.tenant_id = tenant AND n.requested_at > r.requested_at;

  WITH mine AS (
    SELECT p.platform, x.*
      FROM skeldir.reconciliation_platforms AS p
      JOIN skeldir.reconciliation_results AS x
        ON x.tenant_id = tenant AND x.run_id = r.id
       AND p.platform = CASE p.side WHEN 'shop' THEN x.shop_platform ELSE x.processor_platform END
  ),
  counted AS (
    SELECT p.platform,
           count(m.order_id) AS orders_total,
           count(m.order_id) FILTER (WHERE m.outcome = 'verified') AS verified_count,
           count(m.order_id) FILTER (WHERE m.outcome = 'ghost') AS ghost_count,
           count(m.order_id) FILTER (WHERE m.outcome = 'discrepancy') AS discrepancy_count
      FROM skeldir.reconciliation_platforms AS p
      LEFT JOIN mine AS m ON m.platform = p.platform
     GROUP BY p.platform
  ),
  revenue AS (
    SELECT v.platform, jsonb_object_agg(v.currency, v.cents ORDER BY v.currency) AS verified_revenue
      FROM (SELECT m.platform, m.currency, sum(m.captured_cents) AS cents
              FROM mine AS m WHERE m.outcome = 'verified'
             GROUP BY m.platform, m.currency) AS v
     GROUP BY v.platform
  ),
  status AS (
  INSERT INTO skeldir.reconciliation_platform_status AS s
    (tenant_id, platform, status, last_run_id, synced_run_id, orders_total, verified_count, ghost_count,
     discrepancy_count, unmatched_count, verified_revenue, last_synced_at, error, updated_at)
  SELECT tenant, c.platform,
         CASE WHEN c.ghost_count + c.discrepancy_count > 0 THEN 'partial' ELSE 'verified' END::skeldir.reconciliation_status,
         r.id, r.id, c.orders_total, c.verified_count, c.ghost_count, c.discrepancy_count,
         coalesce((unmatched ->> c.platform::text)::integer, 0),
         coalesce(v.verified_revenue, '{}'), finished, NULL, finished
    FROM counted AS c
    LEFT JOIN revenue AS v ON v.platform = c.platform
  ON CONFLICT (tenant_id, platform) DO UPDATE
     SET status = excluded.status, last_run_id = excluded.last_run_id, synced_run_id = excluded.synced_run_id,
         orders_total = excluded.orders_total, verified_count = excluded.verified_count,
         ghost_count = excluded.ghost_count, discrepancy_count = excluded.discrepancy_count,
         unmatched_count = excluded.unmatched_count, verified_revenue = excluded.verified_revenue,
         last_synced_at = excluded.last_synced_at, error = NULL, updated_at = excluded.updated_at
   WHERE s.platform <> ALL (newer)
  RETURNING 1
  )
  SELECT count(*) INTO written FROM status;

  UPDATE skeldir.reconciliation_runs AS x
     SET status = 'completed', started_at = coalesce(x.started_at, began), finished_at = finished, error = NULL,
         (orders_total, verified_count, ghost_count, discrepancy_count) =
           (SELECT count(*), count(*) FILTER (WHERE y.outcome = 'verified'), count(*) FILTER (WHERE y.outcome = 'ghost'),
                   count(*) FILTER (WHERE y.outcome = 'discrepancy')
              FROM skeldir.reconciliation_results AS y WHERE y.tenant_id = tenant AND y.run_id = r.id),
         unmatched_count = (SELECT coalesce(sum(v::integer), 0) FROM jsonb_each_text(unmatched) AS e(k, v))
   WHERE x.tenant_id = tenant AND x.id = r.id
  RETURNING * INTO r;
  RETURN r;
END
$function$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.reconcile keeps this body.)
