-- migrate:up
-- The webhook entry point (SPEC §4): one call per delivery. The daemon passes
-- the vendor and route from the URL, the relevant headers (lower-case names),
-- the raw body and the request's correlation id; this decides everything and
-- returns the HTTP status, an outcome for metrics, and the body to send (a
-- problem's type, title and detail when the status is 4xx).
--
-- Order of checks (§4.1): unknown route 404; tenant key 401; signature 401,
-- storing nothing; unusable payload 200 dlq_routed; new event 200 accepted;
-- known idempotency key 200 duplicate.
--
-- skeldir.ingest_delivery decides one delivery and also says which days of
-- the tenant need their attribution recomputed (a new purchase); the api
-- functions ask for those recomputes last (see
-- skeldir.request_attribution_recompute).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                        paypal_certificate_verified boolean,
                                        OUT http_status integer, OUT outcome text, OUT response jsonb,
                                        OUT tenant_id uuid, OUT recompute_days date[])
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v skeldir.vendor;
  route_topic text;
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

  IF skeldir.resolve_tenant(headers ->> 'x-skeldir-tenant-key') IS NULL THEN
    http_status := 401; outcome := 'invalid_tenant_key';
    response := jsonb_build_object('type', 'invalid_tenant_key', 'title', 'Invalid Tenant Key',
      'detail', 'X-Skeldir-Tenant-Key is missing or is not an active API key');
    RETURN;
  END IF;
  IF NOT skeldir.signature_valid(v, headers, body, paypal_certificate_verified) THEN
    http_status := 401; outcome := 'invalid_signature';
    response := jsonb_build_object('type', 'invalid_signature', 'title', 'Invalid Signature',
      'detail', format('the %s signature is missing, wrong or expired', v), 'vendor', v);
    RETURN;
  END IF;

  r := skeldir.read_webhook(v, coalesce(route_topic, headers ->> CASE v WHEN 'shopify' THEN 'x-shopify-topic'
                                                                     WHEN 'woocommerce' THEN 'x-wc-webhook-topic' END),
                            headers ->> 'x-idempotency-key', body);
  http_status := 200;
  IF r.error_type IS NOT NULL THEN
    dead_id := skeldir.record_dead_event(v, r.topic_name, headers ->> 'x-idempotency-key', r.error_type,
                                         r.error_message, r.payload, r.pii_paths, body, request_id);
    outcome := 'dlq_routed';
    response := jsonb_build_object('success', true, 'status', 'dlq_routed', 'dead_event_id', dead_id,
      'correlation_id', request_id, 'error_type', r.error_type,
      'message', 'Webhook could not be used and was dead-lettered: ' || r.error_message);
    RETURN;
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, r.pii_paths, headers ->> 'x-idempotency-key');
  tenant_id := skeldir.current_tenant_id();
  recompute_days := e.recompute_days;
  outcome := CASE WHEN e.duplicate THEN 'duplicate' ELSE 'accepted' END;
  response := jsonb_build_object('success', true, 'status', outcome, 'event_id', e.event_id,
    'idempotency_key', e.idempotency_key, 'channel', e.channel, 'correlation_id', e.correlation_id,
    'message', CASE WHEN e.duplicate THEN 'Duplicate webhook; already received' ELSE 'Webhook received' END);
END
$$;

CREATE FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                   paypal_certificate_verified boolean DEFAULT false,
                                   OUT http_status integer, OUT outcome text, OUT response jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d record;
BEGIN
  d := skeldir.ingest_delivery(vendor, route, headers, body, request_id, paypal_certificate_verified);
  PERFORM skeldir.request_attribution_recompute(d.tenant_id, day) FROM unnest(d.recompute_days) AS day ORDER BY day;
  http_status := d.http_status; outcome := d.outcome; response := d.response;
END
$$;
COMMENT ON FUNCTION api.ingest_webhook(text, text, jsonb, bytea, uuid, boolean) IS
  'Authenticates, reads and stores one webhook delivery; returns (http_status, outcome, response).';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.ingest_webhook(text, text, jsonb, bytea, uuid, boolean);
DROP FUNCTION skeldir.ingest_delivery(text, text, jsonb, bytea, uuid, boolean);
