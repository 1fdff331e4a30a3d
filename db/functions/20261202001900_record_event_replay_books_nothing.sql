-- migrate:up
-- skeldir.record_event, answering a replay without booking: a duplicate
-- whose stored payload is this very payload has had its movements booked
-- when it was first stored, so only a duplicate key carrying a different
-- payload (a later state of the object under the same key) books money.
-- Replays are most of a storm, and booking costs a ledger insert attempt,
-- its guard and, for refunds, a lock.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.record_event(topic skeldir.webhook_topics, d skeldir.delivery, payload jsonb,
                                                pii_paths text[], idempotency_header text,
                                                OUT event_id uuid, OUT idempotency_key text, OUT correlation_id uuid,
                                                OUT channel text, OUT duplicate boolean, OUT recompute_days date[])
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  kind skeldir.event_type := coalesce(d.event_type, topic.event_type);
  replay boolean;
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
    IF replay THEN
      RETURN;
    END IF;
  END IF;

  PERFORM skeldir.book_money(topic.vendor, d, event_id);
  IF duplicate THEN
    RETURN;
  END IF;

  -- A new purchase asks for the recompute of its days (the caller asks, in
  -- order: skeldir.request_attribution_recompute), unless the change feed
  -- runs: then the feed turns the committed event into that work (SPEC §7)
  -- and the hot path neither looks up the order nor takes a per-day lock.
  -- The mode is read after the event's insert, so a switch back to fallback
  -- (which locks the events table, see worker.change_feed_fallback) either
  -- sees this event committed or makes this transaction read 'fallback'.
  IF kind = 'purchase' AND d.revenue_cents > 0
     AND (SELECT f.mode FROM skeldir.change_feed AS f) IS DISTINCT FROM 'feed' THEN
    recompute_days := skeldir.attribution_days(ARRAY[d.order_id], ARRAY[(d.occurred_at AT TIME ZONE 'UTC')::date]);
  END IF;
END
$$;

-- migrate:down
-- (skeldir.record_event keeps this body; 20261202000860 defines the one before.)
SELECT 1;
