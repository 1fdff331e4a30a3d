-- migrate:up
-- Storing what a delivery said: an event once per idempotency key and its
-- money once per ledger transaction and state, however many deliveries race
-- (SPEC §4.1); or a dead event, once per distinct bad body.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb,
                                     pii_paths text[], idempotency_header text,
                                     OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid,
                                     OUT channel text, OUT duplicate boolean, OUT recompute_days date[])
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
BEGIN
  -- The key the system Skeldir replaces derived: UUIDv5(URL, vendor_event_object).
  idempotency_key := coalesce(nullif(btrim(idempotency_header), ''),
    skeldir.uuid_v5(skeldir.namespace_url(), topic.vendor || '_' || topic.key_name || '_' || d.external_id)::text);
  correlation_id := skeldir.uuid_v5(skeldir.namespace_url(), idempotency_key);

  -- A refund without attribution of its own belongs to its order's channel.
  IF topic.event_type = 'refund' AND d.session_id IS NULL
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
    (tenant, idempotency_key, correlation_id, topic.vendor, topic.topic, topic.event_type, d.external_id,
     d.order_id, d.session_id, d.revenue_cents, d.currency, channel, d.utm_source, d.utm_medium,
     d.referrer, d.occurred_at, payload, pii_paths)
  ON CONFLICT ON CONSTRAINT attribution_events_tenant_id_idempotency_key_key DO NOTHING
  RETURNING e.id INTO event_id;

  duplicate := event_id IS NULL;
  IF duplicate THEN
    SELECT e.id, e.channel INTO event_id, channel
      FROM skeldir.attribution_events AS e
     WHERE e.tenant_id = tenant AND e.idempotency_key = record_event.idempotency_key;
    RETURN;
  END IF;

  IF d.ledger_state IS NOT NULL THEN
    INSERT INTO skeldir.revenue_ledger
      (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at)
    VALUES
      (tenant, topic.vendor, d.transaction_id, d.ledger_state, d.order_id, d.revenue_cents, d.currency,
       event_id, d.occurred_at)
    ON CONFLICT ON CONSTRAINT revenue_ledger_tenant_id_vendor_transaction_id_state_key DO NOTHING;
  END IF;

  -- A new purchase asks for the recompute of its days (the caller asks, in
  -- order: skeldir.request_attribution_recompute), unless the change feed
  -- runs: then the feed turns the committed event into that work (SPEC §7)
  -- and the hot path neither looks up the order nor takes a per-day lock.
  -- The mode is read after the event's insert, so a switch back to fallback
  -- (which locks the events table, see worker.change_feed_fallback) either
  -- sees this event committed or makes this transaction read 'fallback'.
  IF topic.event_type = 'purchase' AND d.revenue_cents > 0
     AND (SELECT f.mode FROM skeldir.change_feed AS f) IS DISTINCT FROM 'feed' THEN
    recompute_days := skeldir.attribution_days(ARRAY[d.order_id], ARRAY[(d.occurred_at AT TIME ZONE 'UTC')::date]);
  END IF;
END
$$;

CREATE FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text,
                                          error_type text, error_message text, payload jsonb,
                                          pii_paths text[], body bytea, correlation_id uuid)
RETURNS uuid
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  INSERT INTO skeldir.dead_events AS x
    (tenant_id, vendor, topic, idempotency_header, error_type, error_message, payload, pii_paths,
     body_sha256, body_bytes, correlation_id)
  VALUES
    (skeldir.current_tenant_id(), vendor, left(topic, 255), left(idempotency_header, 255), error_type,
     left(error_message, 1000), payload, coalesce(pii_paths, '{}'), sha256(body), length(body),
     correlation_id)
  ON CONFLICT (tenant_id, vendor, body_sha256) WHERE status IN ('pending', 'in_progress')
  DO UPDATE SET occurrences = x.occurrences + 1, last_seen_at = now()
  RETURNING x.id;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.record_dead_event(skeldir.vendor, text, text, text, text, jsonb, text[], bytea, uuid);
DROP FUNCTION skeldir.record_event(skeldir.webhook_topics, skeldir.delivery, jsonb, text[], text);
