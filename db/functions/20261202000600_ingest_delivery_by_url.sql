-- migrate:up
-- skeldir.ingest_delivery, now that a stock store can connect: the tenant
-- comes from the URL's token or the tenant key (skeldir.resolve_webhook_tenant),
-- WooCommerce's activation ping is answered without being stored, and the
-- delivery's key comes from the vendor's own delivery id when it sends one
-- (skeldir.header_delivery_key). Order of checks as before (SPEC §4.1):
-- unknown route 404; tenant 401; ping 200; signature 401, storing nothing;
-- unusable payload 200 dlq_routed; new event 200 accepted; known key 200
-- duplicate.
SET LOCAL ROLE skeldir_owner;

-- WooCommerce saves a webhook only after POSTing webhook_id=<n> to it,
-- form-encoded, unsigned and without a topic, and getting a 2xx back.
CREATE FUNCTION skeldir.is_woocommerce_ping(vendor skeldir.vendor, body bytea) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN vendor = 'woocommerce' AND length(body) <= 40 AND encode(body, 'escape') ~ '^webhook_id=[0-9]+$';

CREATE OR REPLACE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                                   paypal_certificate_verified boolean,
                                                   OUT http_status integer, OUT outcome text, OUT response jsonb,
                                                   OUT tenant_id uuid, OUT recompute_days date[])
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
  recompute_days := e.recompute_days;
  outcome := CASE WHEN e.duplicate THEN 'duplicate' ELSE 'accepted' END;
  response := jsonb_build_object('success', true, 'status', outcome, 'event_id', e.event_id,
    'idempotency_key', e.idempotency_key, 'channel', e.channel, 'correlation_id', e.correlation_id,
    'message', CASE WHEN e.duplicate THEN 'Duplicate webhook; already received' ELSE 'Webhook received' END);
END
$$;

-- The PayPal certificate of the tenant a delivery names (by URL token or
-- key), for the daemon's RSA check.
DROP FUNCTION api.paypal_certificate(text);
CREATE FUNCTION api.paypal_certificate(headers jsonb, OUT webhook_id text, OUT certificate_pem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF skeldir.resolve_webhook_tenant('paypal', headers) IS NOT NULL THEN
    SELECT c.webhook_id, c.certificate_pem INTO webhook_id, certificate_pem
      FROM skeldir.tenant_paypal_certificates AS c
     WHERE c.tenant_id = skeldir.current_tenant_id() AND c.revoked_at IS NULL;
  END IF;
END
$$;
COMMENT ON FUNCTION api.paypal_certificate(jsonb) IS
  'The PayPal webhook id and pinned certificate of the tenant a delivery names; NULLs when it has none.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.paypal_certificate(jsonb);
CREATE FUNCTION api.paypal_certificate(tenant_key text, OUT webhook_id text, OUT certificate_pem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF skeldir.resolve_tenant(tenant_key) IS NOT NULL THEN
    SELECT c.webhook_id, c.certificate_pem INTO webhook_id, certificate_pem
      FROM skeldir.tenant_paypal_certificates AS c
     WHERE c.tenant_id = skeldir.current_tenant_id() AND c.revoked_at IS NULL;
  END IF;
END
$$;
DROP FUNCTION skeldir.is_woocommerce_ping(skeldir.vendor, bytea);
