-- migrate:up
-- A realtime revenue refresh recomputes the orders marked since the last
-- one (20261204060100) and moves the tenant's totals by what changed, so its
-- cost follows what was booked since, not the tenant's history: 7,000 rows
-- of record cost 20 ms a refresh before, and every refresh under load paid
-- it again.
--
-- skeldir.revenue_of_record gains order_key, the order a row counts with
-- (for a processor's refund or chargeback, the order of the capture it
-- reverses): the rows of the marked orders are read through the view, so
-- what counts stays decided in one place.
--
-- Refreshes of a tenant take turns (as before): a later one takes the marks
-- the earlier one left, after it committed, and never applies a difference
-- twice. Every tenant's numbers are rebuilt at the end of this release, from
-- marks on all its orders, through the same function.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE VIEW skeldir.revenue_of_record WITH (security_invoker = true) AS
SELECT l.*, coalesce(c.order_id, l.order_id) AS order_key
  FROM skeldir.revenue_ledger AS l
  JOIN skeldir.reconciliation_platforms AS p ON p.platform = l.vendor
  LEFT JOIN skeldir.revenue_ledger AS c
    ON p.side = 'processor' AND c.tenant_id = l.tenant_id AND c.vendor = l.vendor AND c.state = 'captured'
   AND c.transaction_id = coalesce(l.reverses_transaction_id, l.transaction_id)
 WHERE p.side = 'shop' OR l.state = 'chargeback'
    OR NOT EXISTS (SELECT FROM skeldir.revenue_ledger AS s
                     JOIN skeldir.reconciliation_platforms AS sp ON sp.platform = s.vendor AND sp.side = 'shop'
                    WHERE s.tenant_id = l.tenant_id AND s.state = 'captured'
                      AND s.order_id = coalesce(c.order_id, l.order_id));

CREATE OR REPLACE FUNCTION skeldir.refresh_realtime_revenue() RETURNS integer
LANGUAGE plpgsql VOLATILE
-- A tenant's refresh is short: compiling it costs more than it saves.
SET jit = off
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  orders text[];
  written integer;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'refresh_realtime_revenue needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.take_turns('refresh_realtime_revenue/' || tenant);
  -- Waits for the writers still holding a mark; the statements below see
  -- what they committed.
  WITH taken AS (
    DELETE FROM skeldir.realtime_revenue_marks AS m WHERE m.tenant_id = tenant RETURNING m.order_key
  )
  SELECT array_agg(t.order_key) INTO orders FROM taken AS t;

  IF orders IS NOT NULL THEN
    -- What the marked orders added, out of the totals...
    WITH gone AS (
      DELETE FROM skeldir.realtime_revenue_orders AS o
       WHERE o.tenant_id = tenant AND o.order_key = ANY (orders)
      RETURNING o.*
    )
    INSERT INTO skeldir.realtime_revenue AS x
      (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, records,
       last_booked_at, refreshed_at)
    SELECT tenant, g.currency, -sum(g.captured_cents), -sum(g.refunded_cents), -sum(g.chargeback_cents),
           -sum(g.net_cents), -sum(g.captures), -sum(g.records), '-infinity', clock_timestamp()
      FROM gone AS g
     GROUP BY g.currency
    ON CONFLICT (tenant_id, currency) DO UPDATE
       SET captured_cents = x.captured_cents + excluded.captured_cents,
           refunded_cents = x.refunded_cents + excluded.refunded_cents,
           chargeback_cents = x.chargeback_cents + excluded.chargeback_cents,
           net_cents = x.net_cents + excluded.net_cents, captures = x.captures + excluded.captures,
           records = x.records + excluded.records;

    -- ...and what they add now, in.
    WITH candidate AS (
      -- The rows that may count with the marked orders: theirs, and the
      -- refunds and chargebacks of their processor captures (each by its
      -- partial index: revenue_ledger_reversed_idx, _charged_back_idx).
      SELECT l.id
        FROM skeldir.revenue_ledger AS l
       WHERE l.tenant_id = tenant AND l.order_id = ANY (orders)
      UNION
      SELECT r.id
        FROM skeldir.revenue_ledger AS c
        JOIN skeldir.revenue_ledger AS r
          ON r.tenant_id = c.tenant_id AND r.vendor = c.vendor AND r.state = 'refunded'
         AND coalesce(r.reverses_transaction_id, r.transaction_id) = c.transaction_id
       WHERE c.tenant_id = tenant AND c.order_id = ANY (orders) AND c.state = 'captured'
      UNION
      SELECT r.id
        FROM skeldir.revenue_ledger AS c
        JOIN skeldir.revenue_ledger AS r
          ON r.tenant_id = c.tenant_id AND r.vendor = c.vendor AND r.state = 'chargeback'
         AND coalesce(r.reverses_transaction_id, r.transaction_id) = c.transaction_id
       WHERE c.tenant_id = tenant AND c.order_id = ANY (orders) AND c.state = 'captured'
    ),
    kept AS (
      INSERT INTO skeldir.realtime_revenue_orders AS o
        (tenant_id, order_key, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures,
         records, last_booked_at)
      SELECT tenant, r.order_key, r.currency,
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'captured'), 0),
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'refunded'), 0),
             coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'chargeback'), 0),
             sum(CASE r.state WHEN 'captured' THEN r.amount_cents ELSE -r.amount_cents END),
             count(*) FILTER (WHERE r.state = 'captured'), count(*), max(r.recorded_at)
        FROM skeldir.revenue_of_record AS r
       WHERE r.tenant_id = tenant AND r.id IN (SELECT c.id FROM candidate AS c) AND r.order_key = ANY (orders)
       GROUP BY r.order_key, r.currency
      RETURNING o.*
    )
    INSERT INTO skeldir.realtime_revenue AS x
      (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, records,
       last_booked_at, refreshed_at)
    SELECT tenant, k.currency, sum(k.captured_cents), sum(k.refunded_cents), sum(k.chargeback_cents),
           sum(k.net_cents), sum(k.captures), sum(k.records), max(k.last_booked_at), clock_timestamp()
      FROM kept AS k
     GROUP BY k.currency
    ON CONFLICT (tenant_id, currency) DO UPDATE
       SET captured_cents = x.captured_cents + excluded.captured_cents,
           refunded_cents = x.refunded_cents + excluded.refunded_cents,
           chargeback_cents = x.chargeback_cents + excluded.chargeback_cents,
           net_cents = x.net_cents + excluded.net_cents, captures = x.captures + excluded.captures,
           records = x.records + excluded.records,
           last_booked_at = greatest(x.last_booked_at, excluded.last_booked_at);

    DELETE FROM skeldir.realtime_revenue AS x WHERE x.tenant_id = tenant AND x.records <= 0;
  END IF;

  -- Every currency's numbers are as of now, changed or not.
  UPDATE skeldir.realtime_revenue AS x SET refreshed_at = clock_timestamp() WHERE x.tenant_id = tenant;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

RESET ROLE;

-- Every tenant's numbers rebuilt by order: each order marked, the totals
-- emptied, then each tenant refreshed (as the migrating superuser, whom
-- row-level security does not confine, for the marks; in each tenant's
-- context for the refresh, which reads by it).
INSERT INTO skeldir.realtime_revenue_marks (tenant_id, order_key)
SELECT DISTINCT r.tenant_id, r.order_key FROM skeldir.revenue_of_record AS r
ON CONFLICT DO NOTHING;
DELETE FROM skeldir.realtime_revenue_orders;
DELETE FROM skeldir.realtime_revenue;
DO $$
DECLARE
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
BEGIN
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    PERFORM skeldir.refresh_realtime_revenue();
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;

-- migrate:down
-- (Forward only, README "Migrations".)
