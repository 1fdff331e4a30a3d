-- migrate:up
-- The comparison of SPEC §6.4, set-based, for the tenant in the current
-- context and one run: every shop order booked (captured) in the run's
-- window [window_start, window_end) against what the processors captured
-- for the same order id, at any time. Both sides are nets of the revenue
-- ledger in the order's currency: captured minus refunded minus charged back.
--
-- How processor money finds its order: a capture is booked under the order
-- id the processor carried (Stripe metadata.order_id, PayPal invoice_id).
-- A later refund may not carry it: Stripe books refunds under the payment
-- intent of the capture (same transaction), PayPal under the sale or capture
-- it refunds (the capture's transaction id as order id). So a processor row
-- belongs to the order of the capture of its own transaction, else of the
-- capture it names, else to the order id it carries itself.
--
-- Outcomes, results and platform status are defined where their tables are
-- (db/schema/20261126007530_reconciliation_results.sql and
-- 20261126007540_reconciliation_platform_status.sql). The run's results are
-- replaced, never added to, and the run row is locked first: a retry or a
-- rerun writes the same rows, and two executions of one run serialize.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.reconcile(run_id uuid) RETURNS skeldir.reconciliation_runs
LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  began timestamptz := clock_timestamp();
  finished timestamptz;
  unmatched jsonb;
  r skeldir.reconciliation_runs;
BEGIN
  SELECT * INTO r FROM skeldir.reconciliation_runs AS x WHERE x.id = reconcile.run_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciliation run % for the tenant in context', coalesce(run_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  DELETE FROM skeldir.reconciliation_results AS x WHERE x.run_id = r.id;

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
  )
  INSERT INTO skeldir.reconciliation_results
    (tenant_id, run_id, shop_platform, order_id, processor_platform, ordered_at, currency,
     claimed_cents, captured_cents, outcome, discrepancy_bps)
  SELECT tenant, r.id, c.shop_platform, c.order_id, c.processor_platform, c.occurred_at, c.currency,
         c.claimed, c.captured,
         CASE WHEN c.claimed = c.captured THEN 'verified'
              WHEN c.processor_platform IS NULL THEN 'ghost'
              ELSE 'discrepancy' END::skeldir.reconciliation_outcome,
         CASE WHEN c.claimed <> 0 THEN round((c.captured - c.claimed)::numeric * 10000 / abs(c.claimed))::bigint END
    FROM compared AS c;

  finished := clock_timestamp();

  -- Captures of the window that no shop order claims, per processor.
  SELECT coalesce(jsonb_object_agg(u.vendor, u.n), '{}') INTO unmatched
    FROM (SELECT p.vendor, count(*) AS n
            FROM skeldir.revenue_ledger AS p
            JOIN skeldir.reconciliation_platforms AS rp ON rp.platform = p.vendor AND rp.side = 'processor'
           WHERE p.tenant_id = tenant AND p.state = 'captured'
             AND p.occurred_at >= r.window_start AND p.occurred_at < r.window_end
             AND NOT EXISTS (SELECT FROM skeldir.revenue_ledger AS s
                               JOIN skeldir.reconciliation_platforms AS sp ON sp.platform = s.vendor AND sp.side = 'shop'
                              WHERE s.tenant_id = tenant AND s.order_id = p.order_id AND s.state = 'captured')
           GROUP BY p.vendor) AS u;

  WITH mine AS (
    SELECT p.platform, x.*
      FROM skeldir.reconciliation_platforms AS p
      JOIN skeldir.reconciliation_results AS x
        ON x.run_id = r.id
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
  )
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
   -- A rerun of an older run must not overwrite what a newer run stands for.
   WHERE NOT EXISTS (SELECT FROM skeldir.reconciliation_runs AS newer
                      WHERE newer.tenant_id = s.tenant_id AND newer.id = s.last_run_id
                        AND newer.requested_at > r.requested_at);

  UPDATE skeldir.reconciliation_runs AS x
     SET status = 'completed', started_at = coalesce(x.started_at, began), finished_at = finished, error = NULL,
         (orders_total, verified_count, ghost_count, discrepancy_count) =
           (SELECT count(*), count(*) FILTER (WHERE y.outcome = 'verified'), count(*) FILTER (WHERE y.outcome = 'ghost'),
                   count(*) FILTER (WHERE y.outcome = 'discrepancy')
              FROM skeldir.reconciliation_results AS y WHERE y.run_id = r.id),
         unmatched_count = (SELECT coalesce(sum(v::integer), 0) FROM jsonb_each_text(unmatched) AS e(k, v))
   WHERE x.id = r.id
  RETURNING * INTO r;
  RETURN r;
END
$$;

-- The job body: args.run_id, for the job's tenant.
CREATE FUNCTION worker.reconciliation_run(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF skeldir.current_tenant_id() IS NULL
     OR NOT coalesce(args ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false) THEN
    RAISE EXCEPTION 'reconciliation.run needs a tenant and args.run_id (a uuid)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.reconcile((args ->> 'run_id')::uuid);
  PERFORM skeldir.request_matview_refreshes_reading('skeldir.reconciliation_platform_status');
END
$$;

INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('reconciliation.run', 'attribution', 'worker.reconciliation_run', '300 seconds', '360 seconds', 4, '1 second', false);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.job_kinds WHERE kind = 'reconciliation.run';
DROP FUNCTION worker.reconciliation_run(jsonb, bigint);
DROP FUNCTION skeldir.reconcile(uuid);
