-- migrate:up
-- The ingest path asks for what new rows change, in one order: the
-- tenant's realtime revenue when money was booked (item 3 of the issue
-- "revenue truth": a sale shows within 2 s), then the attribution recomputes
-- of the days a new event changes. A new purchase changes its day and its
-- order's other days, as before; a new touch (any event but a refund, with
-- a session) now changes the days of the purchases of its session in the 30
-- days after it: a touch delivered after its purchase, but dated before it,
-- is attributed (item 2).
--
-- Each request's dedupe key is a lock held until commit, so every caller
-- asks in the same order (realtime per tenant, in tenant order, then
-- recomputes in (tenant, day) order) and two transactions cannot wait for
-- each other. While the change feed runs, it asks instead
-- (skeldir.request_change_work).
--
-- skeldir.book_money now says how many rows it booked; skeldir.record_event
-- and skeldir.ingest_delivery say whether the caller must ask for realtime
-- revenue (refresh_realtime), beside the days it must ask to recompute.
SET LOCAL ROLE skeldir_owner;

DROP FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[], boolean[]);
DROP FUNCTION skeldir.ingest_delivery(text, text, jsonb, bytea, uuid, boolean);
DROP FUNCTION skeldir.record_event(skeldir.webhook_topics, skeldir.delivery, jsonb, text[], text);
DROP FUNCTION skeldir.book_money(skeldir.vendor, skeldir.delivery, uuid);

-- For the tenant in context, the days whose attribution changes: the given
-- days, the days of the purchases of the given orders (an order is
-- attributed through one of its events, which a new one may now be), and the
-- days of the purchases that touches at the given sessions and times can
-- touch (the same session, within 30 days after the touch).
CREATE FUNCTION skeldir.attribution_days(orders text[], days date[], sessions text[], touched_at timestamptz[])
RETURNS date[]
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT array_agg(x.day ORDER BY x.day)
    FROM (SELECT unnest(days) AS day
          UNION
          SELECT (o.occurred_at AT TIME ZONE 'UTC')::date
            FROM skeldir.attribution_events AS o
           WHERE o.tenant_id = (SELECT skeldir.current_tenant_id()) AND o.order_id = ANY (orders)
             AND o.event_type = 'purchase' AND o.revenue_cents > 0
          UNION
          SELECT (p.occurred_at AT TIME ZONE 'UTC')::date
            FROM unnest(sessions, touched_at) AS t(session_id, at)
            JOIN skeldir.attribution_events AS p
              ON p.tenant_id = (SELECT skeldir.current_tenant_id()) AND p.session_id = t.session_id
             AND p.occurred_at BETWEEN t.at AND t.at + interval '30 days'
             AND p.event_type = 'purchase' AND p.revenue_cents > 0) AS x
   WHERE x.day IS NOT NULL;
END;

CREATE FUNCTION skeldir.book_money(vendor skeldir.vendor, d skeldir.delivery, event_id uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  m skeldir.money_movement;
  booked bigint := 0;
  rows_booked integer := 0;
  amount bigint;
  inserted integer;
BEGIN
  IF d.refund_cap_cents IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(tenant::text || '/' || vendor::text || '/' || d.reverses_transaction_id, 0));
    SELECT coalesce(sum(l.amount_cents), 0) INTO booked
      FROM skeldir.revenue_ledger AS l
     WHERE l.tenant_id = tenant AND l.vendor = book_money.vendor AND l.state = 'refunded'
       AND coalesce(l.reverses_transaction_id, l.transaction_id) = d.reverses_transaction_id;
  END IF;
  FOREACH m IN ARRAY coalesce(d.movements,
      ARRAY[ROW(d.transaction_id, d.ledger_state, d.revenue_cents, d.occurred_at)::skeldir.money_movement]) LOOP
    CONTINUE WHEN m.state IS NULL;
    amount := m.amount_cents;
    IF m.state = 'refunded' AND d.refund_cap_cents IS NOT NULL THEN
      amount := least(amount, d.refund_cap_cents - booked);
      CONTINUE WHEN amount <= 0;
    END IF;
    INSERT INTO skeldir.revenue_ledger
      (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at,
       reverses_transaction_id)
    VALUES
      (tenant, vendor, m.transaction_id, m.state, d.order_id, amount, d.currency, event_id,
       coalesce(m.occurred_at, d.occurred_at), CASE WHEN m.state <> 'captured' THEN d.reverses_transaction_id END)
    ON CONFLICT ON CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    rows_booked := rows_booked + inserted;
    IF inserted > 0 AND m.state = 'refunded' THEN
      booked := booked + amount;
    END IF;
  END LOOP;
  RETURN rows_booked;
END
$$;

COMMENT ON FUNCTION skeldir.book_money(skeldir.vendor, skeldir.delivery, uuid) IS
  'Books a delivery''s money movements in the ledger, each once; capped refunds never exceed their cap; returns the rows booked.';

CREATE FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb,
                                                pii_paths text[], idempotency_header text,
                                                OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid,
                                                OUT channel text, OUT duplicate boolean, OUT refresh_realtime boolean,
                                                OUT recompute_days date[])
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  kind skeldir.event_type := coalesce(d.event_type, topic.event_type);
  replay boolean;
  feed boolean;
BEGIN
  idempotency_key := coalesce(skeldir.body_delivery_key(topic.vendor, payload),
    nullif(btrim(idempotency_header), ''),
    skeldir.uuid_v5(skeldir.namespace_url(), topic.vendor || '_' || topic.key_name || '_' || d.external_id)::text);
  correlation_id := skeldir.uuid_v5(skeldir.namespace_url(), idempotency_key);

  -- A refund without attribution of its own belongs to its order's channel.
  IF kind = 'refund' AND d.session_id IS NULL
     AND coalesce(d.utm_source, d.utm_medium, d.referrer) IS NULL THEN
    SELECT e.channel, e.session_id INTO channel, d.session_id
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.order_id = d.order_id AND e.vendor = topic.vendor
       AND e.event_type = 'purchase'
     ORDER BY e.occurred_at
     LIMIT 1;
  END IF;
  channel := coalesce(channel, skeldir.classify_channel(d.utm_source, d.utm_medium, d.referrer));

  INSERT INTO skeldir.attribution_events AS e
    (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id,
     session_id, revenue_cents, currency, channel, utm_source, utm_medium, referrer, occurred_at,
     payload, pii_paths)
  VALUES
    (tenant, idempotency_key, correlation_id, topic.vendor, topic.topic, kind, d.external_id,
     d.order_id, d.session_id, d.revenue_cents, d.currency, channel, d.utm_source, d.utm_medium,
     d.referrer, d.occurred_at, payload, pii_paths)
  ON CONFLICT ON CONSTRAINT attribution_events_tenant_id_idempotency_key_key DO NOTHING
  RETURNING e.id INTO event_id;

  duplicate := event_id IS NULL;
  IF duplicate THEN
    SELECT e.id, e.channel, e.payload IS NOT DISTINCT FROM record_event.payload INTO event_id, channel, replay
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.idempotency_key = record_event.idempotency_key;
    -- The very delivery again moved no new money: its movements are booked.
    refresh_realtime := false;
    IF replay THEN
      RETURN;
    END IF;
  END IF;

  -- What the new rows ask for is asked by the caller, in order (realtime
  -- revenue, then attribution recomputes), unless the change feed runs.
  -- The mode is read after the event's insert, so a switch back to fallback
  -- (which locks the events table, see worker.change_feed_fallback) either
  -- sees this event committed or makes this transaction read 'fallback'.
  feed := (SELECT f.mode FROM skeldir.change_feed AS f) IS NOT DISTINCT FROM 'feed';
  refresh_realtime := skeldir.book_money(topic.vendor, d, event_id) > 0 AND NOT feed;
  IF duplicate OR feed THEN
    RETURN;
  END IF;

  -- A new purchase asks for the recompute of its days, and so does a new
  -- touch: it may be dated before purchases delivered ahead of it
  -- (skeldir.attribution_days).
  recompute_days := skeldir.attribution_days(
    CASE WHEN kind = 'purchase' AND d.revenue_cents > 0 THEN ARRAY[d.order_id] END,
    CASE WHEN kind = 'purchase' AND d.revenue_cents > 0 THEN ARRAY[(d.occurred_at AT TIME ZONE 'UTC')::date] END,
    CASE WHEN kind <> 'refund' AND d.session_id IS NOT NULL THEN ARRAY[d.session_id] END,
    CASE WHEN kind <> 'refund' AND d.session_id IS NOT NULL THEN ARRAY[d.occurred_at] END);
END
$$;

CREATE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                                   paypal_certificate_verified boolean,
                                                   OUT http_status integer, OUT outcome text, OUT response jsonb,
                                                   OUT tenant_id uuid, OUT refresh_realtime boolean,
                                        OUT recompute_days date[])
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v skeldir.vendor;
  route_topic text;
  delivery_key text;
  r record;
  e record;
  dead_id uuid;
BEGIN
  IF vendor IS NULL OR vendor <> ALL (enum_range(NULL::skeldir.vendor)::text[]) THEN
    http_status := 404; outcome := 'not_found';
    response := jsonb_build_object('type', 'not_found', 'title', 'Not Found',
                                   'detail', 'no webhook vendor ' || coalesce(quote_literal(left(vendor, 50)), ''));
    RETURN;
  END IF;
  v := vendor::skeldir.vendor;
  IF coalesce(route, '') <> '' THEN
    SELECT t.topic INTO route_topic FROM skeldir.webhook_topics AS t WHERE t.vendor = v AND route = ANY (t.paths);
    IF NOT FOUND THEN
      http_status := 404; outcome := 'not_found';
      response := jsonb_build_object('type', 'not_found', 'title', 'Not Found',
                                     'detail', format('no %s webhook at %s', v, quote_literal(left(route, 100))));
      RETURN;
    END IF;
  END IF;

  IF skeldir.resolve_webhook_tenant(v, headers) IS NULL THEN
    http_status := 401; outcome := 'invalid_tenant_key';
    response := jsonb_build_object('type', 'invalid_tenant_key', 'title', 'Invalid Tenant Key',
      'detail', CASE WHEN headers ? ':url-token'
                     THEN format('this URL is not an active %s webhook URL', v)
                     ELSE 'X-Skeldir-Tenant-Key is missing or is not an active API key' END);
    RETURN;
  END IF;
  IF skeldir.is_woocommerce_ping(v, body) THEN
    http_status := 200; outcome := 'ping';
    response := jsonb_build_object('success', true, 'status', 'ping', 'correlation_id', request_id,
      'message', 'WooCommerce webhook ping acknowledged; nothing was stored');
    RETURN;
  END IF;
  IF NOT skeldir.signature_valid(v, headers, body, paypal_certificate_verified) THEN
    http_status := 401; outcome := 'invalid_signature';
    response := jsonb_build_object('type', 'invalid_signature', 'title', 'Invalid Signature',
      'detail', format('the %s signature is missing, wrong or expired', v), 'vendor', v);
    RETURN;
  END IF;

  delivery_key := skeldir.header_delivery_key(v, headers);
  r := skeldir.read_webhook(v, coalesce(route_topic, headers ->> CASE v WHEN 'shopify' THEN 'x-shopify-topic'
                                                                     WHEN 'woocommerce' THEN 'x-wc-webhook-topic' END),
                            delivery_key, body);
  http_status := 200;
  IF r.error_type IS NOT NULL THEN
    dead_id := skeldir.record_dead_event(v, r.topic_name, delivery_key, r.error_type,
                                         r.error_message, r.payload, r.pii_paths, body, request_id);
    outcome := 'dlq_routed';
    response := jsonb_build_object('success', true, 'status', 'dlq_routed', 'dead_event_id', dead_id,
      'correlation_id', request_id, 'error_type', r.error_type,
      'message', 'Webhook could not be used and was dead-lettered: ' || r.error_message);
    RETURN;
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, r.pii_paths, delivery_key);
  tenant_id := skeldir.current_tenant_id();
  refresh_realtime := e.refresh_realtime;
  recompute_days := e.recompute_days;
  outcome := CASE WHEN e.duplicate THEN 'duplicate' ELSE 'accepted' END;
  response := jsonb_build_object('success', true, 'status', outcome, 'event_id', e.event_id,
    'idempotency_key', e.idempotency_key, 'channel', e.channel, 'correlation_id', e.correlation_id,
    'message', CASE WHEN e.duplicate THEN 'Duplicate webhook; already received' ELSE 'Webhook received' END);
END
$$;

CREATE OR REPLACE FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                              paypal_certificate_verified boolean DEFAULT false,
                                              OUT http_status integer, OUT outcome text, OUT response jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d record;
BEGIN
  d := skeldir.ingest_delivery(vendor, route, headers, body, request_id, paypal_certificate_verified);
  IF d.refresh_realtime THEN
    PERFORM skeldir.request_realtime_revenue(d.tenant_id);
  END IF;
  PERFORM skeldir.request_attribution_recompute(d.tenant_id, day) FROM unnest(d.recompute_days) AS day ORDER BY day;
  http_status := d.http_status; outcome := d.outcome; response := d.response;
END
$$;

-- Many deliveries in one transaction (20261126004050): decided in the order
-- of their bodies' digests; what they ask for is asked last, in order.
CREATE FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[],
                                    request_ids uuid[], paypal_certificates_verified boolean[])
RETURNS TABLE (http_status integer, outcome text, response jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH decided AS MATERIALIZED (
    SELECT d.n, r.http_status, r.outcome, r.response, r.tenant_id, r.refresh_realtime, r.recompute_days
      FROM (SELECT * FROM unnest(vendors, routes, headers, bodies, request_ids, paypal_certificates_verified)
                            WITH ORDINALITY AS u(vendor, route, headers, body, request_id, verified, n)
             ORDER BY sha256(u.body), u.n) AS d
     CROSS JOIN LATERAL skeldir.ingest_delivery(d.vendor, d.route, d.headers, d.body, d.request_id, d.verified) AS r
  ),
  requested AS MATERIALIZED (
    -- realtime revenue per tenant (day NULL) first, then recomputes
    SELECT CASE WHEN x.day IS NULL THEN skeldir.request_realtime_revenue(x.tenant_id)
                ELSE skeldir.request_attribution_recompute(x.tenant_id, x.day) END
      FROM (SELECT u.tenant_id, u.day
              FROM (SELECT decided.tenant_id, NULL::date AS day FROM decided WHERE decided.refresh_realtime
                    UNION
                    SELECT decided.tenant_id, day FROM decided, unnest(decided.recompute_days) AS day) AS u
             ORDER BY u.day IS NOT NULL, u.tenant_id, u.day) AS x
  )
  SELECT decided.http_status, decided.outcome, decided.response FROM decided
   WHERE (SELECT count(*) FROM requested) IS NOT NULL
   ORDER BY decided.n;
END;
COMMENT ON FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[], boolean[]) IS
  'api.ingest_webhook for several deliveries in one transaction; one result per delivery, in order.';

CREATE OR REPLACE FUNCTION skeldir.replay_dead_event(dead_event_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  x skeldir.dead_events;
  r record;
  e record;
BEGIN
  SELECT * INTO x FROM skeldir.dead_events AS de WHERE de.id = dead_event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dead event % does not exist for this tenant', dead_event_id USING ERRCODE = 'no_data_found';
  END IF;
  IF x.status NOT IN ('pending', 'in_progress') THEN
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'skipped', 'status', x.status);
  END IF;
  IF x.payload IS NULL THEN
    UPDATE skeldir.dead_events AS de SET status = 'abandoned' WHERE de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'abandoned',
                              'error', 'the body was not JSON and was not kept; the sender must deliver it again');
  END IF;

  r := skeldir.read_webhook(x.vendor, x.topic, x.idempotency_header, convert_to(x.payload::text, 'UTF8'));
  IF r.error_type IS NOT NULL THEN
    UPDATE skeldir.dead_events AS de
       SET retry_count = de.retry_count + 1, error_type = r.error_type, error_message = r.error_message,
           next_retry_at = now() + least(interval '1 day', interval '1 minute' * 2 ^ de.retry_count)
     WHERE de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'failed', 'error_type', r.error_type,
                              'error', r.error_message, 'retry_count', x.retry_count + 1);
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, x.pii_paths || r.pii_paths, x.idempotency_header);
  IF e.refresh_realtime THEN
    PERFORM skeldir.request_realtime_revenue(x.tenant_id);
  END IF;
  PERFORM skeldir.request_attribution_recompute(x.tenant_id, day) FROM unnest(e.recompute_days) AS day ORDER BY day;
  UPDATE skeldir.dead_events AS de SET status = 'resolved', resolved_event_id = e.event_id WHERE de.id = x.id;
  RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'resolved', 'event_id', e.event_id,
                            'duplicate', e.duplicate);
END
$$;

-- migrate:down
-- (These bodies stay; 20261126004000, 20261126004050, 20261126004200,
-- 20261202000600, 20261202000850 and 20261202001900 define the ones before.)
SELECT 1;
