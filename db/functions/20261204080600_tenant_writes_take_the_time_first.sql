-- migrate:up
-- Writes of tenant tables take their time before the statement, or from
-- the row they propose (issue 16). Citus refuses a volatile function in a
-- modification of a distributed table ('functions used in UPDATE queries on
-- distributed tables must not be VOLATILE') and any function but an
-- immutable one in ON CONFLICT DO UPDATE SET ('... must be marked
-- IMMUTABLE'), make test-citus, the suites' fixture.
--
-- skeldir.refresh_realtime_revenue called clock_timestamp() in its three
-- writes: each now stamps the time read just before it, the same instant
-- to within the statement's own duration. The rest is as in
-- 20261204060200.
--
-- The upserts of skeldir.request_reconciliation (platform status),
-- skeldir.record_spend (ad spend) and admin.set_llm_budget_cap set
-- `updated_at = now()` on conflict: they now set the value their row
-- proposes, `excluded.updated_at`, which is the column's default, now(): the
-- same value. Each is redefined from its catalog definition with that one
-- replacement, as the migrating superuser (CREATE OR REPLACE keeps owner
-- and grants; 20261204070900 did the same for the tenant context), and the
-- migration fails unless each had exactly one.
DO $$
DECLARE
  f regprocedure;
  def text;
BEGIN
  FOREACH f IN ARRAY ARRAY['skeldir.request_reconciliation(timestamptz, timestamptz)',
                           'skeldir.record_spend(jsonb)',
                           'admin.set_llm_budget_cap(uuid, bigint, text, text)']::regprocedure[] LOOP
    def := pg_get_functiondef(f);
    IF (SELECT count(*) FROM regexp_matches(def, 'updated_at = now\(\)', 'g')) <> 1 THEN
      RAISE EXCEPTION '% does not set updated_at = now() exactly once', f;
    END IF;
    EXECUTE replace(def, 'updated_at = now()', 'updated_at = excluded.updated_at');
  END LOOP;
END
$$;

SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.refresh_realtime_revenue() RETURNS integer
LANGUAGE plpgsql
SET jit TO 'off'
AS $function$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  orders text[];
  written integer;
  at timestamptz;
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
    at := clock_timestamp();
    WITH gone AS (
      DELETE FROM skeldir.realtime_revenue_orders AS o
       WHERE o.tenant_id = tenant AND o.order_key = ANY (orders)
      RETURNING o.*
    )
    INSERT INTO skeldir.realtime_revenue AS x
      (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, records,
       last_booked_at, refreshed_at)
    SELECT tenant, g.currency, -sum(g.captured_cents), -sum(g.refunded_cents), -sum(g.chargeback_cents),
           -sum(g.net_cents), -sum(g.captures), -sum(g.records), '-infinity', at
      FROM gone AS g
     GROUP BY g.currency
    ON CONFLICT (tenant_id, currency) DO UPDATE
       SET captured_cents = x.captured_cents + excluded.captured_cents,
           refunded_cents = x.refunded_cents + excluded.refunded_cents,
           chargeback_cents = x.chargeback_cents + excluded.chargeback_cents,
           net_cents = x.net_cents + excluded.net_cents, captures = x.captures + excluded.captures,
           records = x.records + excluded.records;

    -- ...and what they add now, in.
    at := clock_timestamp();
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
           sum(k.net_cents), sum(k.captures), sum(k.records), max(k.last_booked_at), at
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
  at := clock_timestamp();
  UPDATE skeldir.realtime_revenue AS x SET refreshed_at = at WHERE x.tenant_id = tenant;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$function$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.refresh_realtime_revenue keeps
-- this body; 20261204060200 defines the one before.)
