-- migrate:up
-- A dead-lettered delivery's answer is in our words. The reasons Skeldir
-- raises itself (an unsupported topic, a missing field, PII in a key) were
-- already; a body PostgreSQL could not read as JSON, or a value of the
-- wrong type or range, answered with PostgreSQL's own message ("invalid
-- input syntax for type json"). Those now answer by their error type; the
-- dead-letter row keeps PostgreSQL's message for operators.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.dead_letter_reason(error_type text, error_message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE error_type
  WHEN 'malformed_json' THEN 'the body is not a JSON document we can read'
  WHEN 'invalid_payload' THEN 'a value in the body has the wrong type or is out of range'
  ELSE error_message
END;

CREATE OR REPLACE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid,
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
  IF NOT skeldir.signature_valid(v, headers, body) THEN
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
      'message', 'Webhook could not be used and was dead-lettered: ' || skeldir.dead_letter_reason(r.error_type, r.error_message));
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

-- migrate:down
SET LOCAL ROLE skeldir_owner;
SELECT 1; -- skeldir.ingest_delivery keeps this body; 20261203011300 defines the one before
