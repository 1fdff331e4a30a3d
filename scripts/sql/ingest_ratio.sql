-- The ingest benchmark's SQL ratio (scripts/bench-ingest.sh, phase sql):
-- the subject and its baseline, each one call (one transaction) over a
-- round's deliveries, one statement per delivery from a PL/pgSQL loop on
-- both sides, so neither pays a client round trip the other does not.
-- Run as a superuser after scripts/sql/ingest_deliveries.sql.
--
--   bench.ingest(round): every delivery of the round through
--     api.ingest_webhook (tenant, signature, projection, readers, both rows,
--     the jobs they ask for); fails unless each was accepted.
--   bench.stage(round, tenant, baseline_tenant): copies the rows the round
--     stored (events and their ledger rows, the payload as projected) into
--     bench.direct_rows under the baseline's tenant (outside the timing).
--   bench.direct(round): inserts those rows directly, the event and then its
--     ledger row, the same columns with the same values, as any writer of the
--     tables would (their triggers, checks and keys included).
CREATE TABLE IF NOT EXISTS bench.direct_rows AS
SELECT 0 AS round, e.tenant_id, e.idempotency_key, e.correlation_id, e.vendor, e.topic, e.event_type, e.external_id,
       e.order_id, e.session_id, e.revenue_cents, e.currency, e.channel, e.utm_source, e.utm_medium, e.referrer,
       e.occurred_at, e.payload, e.pii_paths,
       l.transaction_id, l.state, l.order_id AS ledger_order_id, l.amount_cents, l.currency AS ledger_currency,
       l.occurred_at AS ledger_occurred_at, l.reverses_transaction_id
  FROM skeldir.attribution_events AS e JOIN skeldir.revenue_ledger AS l ON l.tenant_id = e.tenant_id AND l.event_id = e.id
 WITH NO DATA;

CREATE OR REPLACE FUNCTION bench.ingest(round integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  a record;
  accepted integer := 0;
BEGIN
  FOR r IN SELECT d.headers, d.body, d.request_id FROM bench.deliveries AS d WHERE d.round = ingest.round ORDER BY d.n LOOP
    a := api.ingest_webhook('shopify', 'order_create', r.headers, r.body, r.request_id);
    IF a.outcome = 'accepted' THEN
      accepted := accepted + 1;
    END IF;
  END LOOP;
  IF accepted <> (SELECT count(*) FROM bench.deliveries AS d WHERE d.round = ingest.round) THEN
    RAISE EXCEPTION 'round %: only % deliveries were accepted', round, accepted;
  END IF;
  RETURN accepted;
END
$$;

CREATE OR REPLACE FUNCTION bench.stage(round integer, tenant uuid, baseline_tenant uuid) RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO bench.direct_rows
  SELECT stage.round, baseline_tenant, e.idempotency_key, e.correlation_id, e.vendor, e.topic, e.event_type, e.external_id,
         e.order_id, e.session_id, e.revenue_cents, e.currency, e.channel, e.utm_source, e.utm_medium, e.referrer,
         e.occurred_at, e.payload, e.pii_paths,
         l.transaction_id, l.state, l.order_id, l.amount_cents, l.currency, l.occurred_at, l.reverses_transaction_id
    FROM bench.deliveries AS d
    JOIN skeldir.attribution_events AS e ON e.tenant_id = tenant AND e.idempotency_key = 'shopify:' || (d.headers ->> 'x-shopify-webhook-id')
    LEFT JOIN skeldir.revenue_ledger AS l ON l.tenant_id = e.tenant_id AND l.event_id = e.id
   WHERE d.round = stage.round
   ORDER BY d.n;
  SELECT count(*) FROM bench.direct_rows AS r WHERE r.round = stage.round;
$$;

CREATE OR REPLACE FUNCTION bench.direct(round integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  r record;
  event uuid;
  n integer := 0;
BEGIN
  FOR r IN SELECT * FROM bench.direct_rows AS x WHERE x.round = direct.round LOOP
    INSERT INTO skeldir.attribution_events
      (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id, session_id,
       revenue_cents, currency, channel, utm_source, utm_medium, referrer, occurred_at, payload, pii_paths)
    VALUES (r.tenant_id, r.idempotency_key, r.correlation_id, r.vendor, r.topic, r.event_type, r.external_id, r.order_id,
            r.session_id, r.revenue_cents, r.currency, r.channel, r.utm_source, r.utm_medium, r.referrer, r.occurred_at,
            r.payload, r.pii_paths)
    RETURNING id INTO event;
    IF r.state IS NOT NULL THEN
      INSERT INTO skeldir.revenue_ledger
        (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at,
         reverses_transaction_id)
      VALUES (r.tenant_id, r.vendor, r.transaction_id, r.state, r.ledger_order_id, r.amount_cents, r.ledger_currency,
              event, r.ledger_occurred_at, r.reverses_transaction_id);
    END IF;
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
