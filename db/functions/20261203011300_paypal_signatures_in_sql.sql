-- migrate:up
-- PayPal's certificate signatures are verified here, not by the daemon: the
-- API role no longer passes a boolean saying a signature held (api
-- ingest_webhook and ingest_webhooks lose that parameter, and with them
-- skeldir.ingest_delivery and skeldir.signature_valid). For a tenant with a
-- pinned certificate, skeldir.paypal_transmission_valid checks
-- PAYPAL-TRANSMISSION-SIG, RSA-SHA256 over
-- "transmission_id|transmission_time|webhook_id|crc32(body)", against the
-- key read from that certificate at pin time. Pinning now refuses a
-- certificate whose RSA key cannot be read, and the keys of certificates
-- pinned before are read here.
SET LOCAL ROLE skeldir_owner;

DROP FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[], boolean[]);
DROP FUNCTION api.ingest_webhook(text, text, jsonb, bytea, uuid, boolean);
DROP FUNCTION skeldir.ingest_delivery(text, text, jsonb, bytea, uuid, boolean);
DROP FUNCTION skeldir.signature_valid(skeldir.vendor, jsonb, bytea, boolean);
DROP FUNCTION api.paypal_certificate(jsonb);

-- Whether PayPal signed this delivery for the pinned certificate's webhook.
-- PAYPAL-AUTH-ALGO, when present, must be SHA256withRSA; the certificate is
-- never fetched from PAYPAL-CERT-URL.
CREATE FUNCTION skeldir.paypal_transmission_valid(headers jsonb, body bytea,
                                                  pinned skeldir.tenant_paypal_certificates)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  signature bytea;
BEGIN
  IF coalesce(lower(headers ->> 'paypal-auth-algo'), 'sha256withrsa') <> 'sha256withrsa'
     OR coalesce(headers ->> 'paypal-transmission-id', '') = ''
     OR coalesce(headers ->> 'paypal-transmission-time', '') = ''
     OR coalesce(headers ->> 'paypal-transmission-sig', '') !~ '^[A-Za-z0-9+/]+={0,2}$'
     OR length(headers ->> 'paypal-transmission-sig') % 4 <> 0 THEN
    RETURN false;
  END IF;
  signature := decode(headers ->> 'paypal-transmission-sig', 'base64');
  RETURN skeldir.rsa_sha256_valid(
    convert_to(concat_ws('|', headers ->> 'paypal-transmission-id', headers ->> 'paypal-transmission-time',
                         pinned.webhook_id, skeldir.crc32(body)), 'UTF8'),
    signature, pinned.rsa_modulus, pinned.rsa_exponent);
END
$$;

CREATE FUNCTION skeldir.signature_valid(vendor skeldir.vendor, headers jsonb, body bytea)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  secrets bytea[];
  stripe_header text := headers ->> 'stripe-signature';
  stripe_t text;
  pinned skeldir.tenant_paypal_certificates;
BEGIN
  SELECT array_agg(convert_to(s.secret, 'UTF8')) INTO secrets
    FROM skeldir.tenant_webhook_secrets AS s
   WHERE s.tenant_id = skeldir.current_tenant_id() AND s.vendor = signature_valid.vendor
     AND s.revoked_at IS NULL;

  CASE vendor
  WHEN 'shopify', 'woocommerce' THEN
    -- base64(HMAC-SHA256(secret, body)) in X-Shopify-Hmac-Sha256 / X-WC-Webhook-Signature
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'base64')
                          = headers ->> CASE vendor WHEN 'shopify' THEN 'x-shopify-hmac-sha256'
                                                    ELSE 'x-wc-webhook-signature' END);
  WHEN 'stripe' THEN
    -- Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...] over "<t>.<body>",
    -- at most 300 s from now.
    stripe_t := substring(stripe_header FROM '(?:^|,)\s*t=([0-9]{1,12})\s*(?:,|$)');
    IF stripe_t IS NULL OR abs(extract(epoch FROM now()) - stripe_t::bigint) > 300 THEN
      RETURN false;
    END IF;
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k,
                               regexp_matches(stripe_header, '(?:^|,)\s*v1=([0-9a-fA-F]{64})\s*(?=,|$)', 'g') AS v1
                    WHERE encode(extensions.hmac(convert_to(stripe_t || '.', 'UTF8') || body, k, 'sha256'), 'hex')
                          = lower(v1[1]));
  WHEN 'paypal' THEN
    -- A tenant with a pinned certificate is verified by PayPal's RSA
    -- signature against that certificate's key, here; otherwise
    -- hex(HMAC-SHA256(secret, body)) in PAYPAL-TRANSMISSION-SIG.
    SELECT c.* INTO pinned FROM skeldir.tenant_paypal_certificates AS c
     WHERE c.tenant_id = skeldir.current_tenant_id() AND c.revoked_at IS NULL;
    IF pinned.tenant_id IS NOT NULL THEN
      RETURN skeldir.paypal_transmission_valid(headers, body, pinned);
    END IF;
    RETURN EXISTS (SELECT FROM unnest(secrets) AS k
                    WHERE encode(extensions.hmac(body, k, 'sha256'), 'hex')
                          = lower(headers ->> 'paypal-transmission-sig'));
  END CASE;
END
$$;

CREATE FUNCTION skeldir.ingest_delivery(vendor text, route text, headers jsonb, body bytea, request_id uuid,
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

CREATE FUNCTION api.ingest_webhook(vendor text, route text, headers jsonb, body bytea, request_id uuid,
                                              OUT http_status integer, OUT outcome text, OUT response jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d record;
BEGIN
  d := skeldir.ingest_delivery(vendor, route, headers, body, request_id);
  IF d.refresh_realtime THEN
    PERFORM skeldir.request_realtime_revenue(d.tenant_id);
  END IF;
  PERFORM skeldir.request_attribution_recompute(d.tenant_id, day) FROM unnest(d.recompute_days) AS day ORDER BY day;
  http_status := d.http_status; outcome := d.outcome; response := d.response;
END
$$;

CREATE FUNCTION api.ingest_webhooks(vendors text[], routes text[], headers jsonb[], bodies bytea[],
                                    request_ids uuid[])
RETURNS TABLE (http_status integer, outcome text, response jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH decided AS MATERIALIZED (
    SELECT d.n, r.http_status, r.outcome, r.response, r.tenant_id, r.refresh_realtime, r.recompute_days
      FROM (SELECT * FROM unnest(vendors, routes, headers, bodies, request_ids)
                            WITH ORDINALITY AS u(vendor, route, headers, body, request_id, n)
             ORDER BY sha256(u.body), u.n) AS d
     CROSS JOIN LATERAL skeldir.ingest_delivery(d.vendor, d.route, d.headers, d.body, d.request_id) AS r
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

CREATE OR REPLACE FUNCTION admin.pin_paypal_certificate(tenant_id uuid, webhook_id text, certificate_pem text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  replaced bigint;
  key record := skeldir.certificate_rsa_key(btrim(certificate_pem));
BEGIN
  IF key.modulus IS NULL THEN
    RAISE EXCEPTION 'certificate_pem is not a PEM certificate holding an RSA key'
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'certificate_pem';
  END IF;
  PERFORM skeldir.enter_tenant(tenant_id);
  replaced := skeldir.unpin_paypal_certificate();
  INSERT INTO skeldir.tenant_paypal_certificates (tenant_id, webhook_id, certificate_pem, rsa_modulus, rsa_exponent)
  VALUES (tenant_id, webhook_id, btrim(certificate_pem), key.modulus, key.exponent);
  RETURN jsonb_build_object('tenant_id', tenant_id, 'webhook_id', webhook_id, 'replaced', replaced);
END
$$;

-- The keys of the certificates pinned before, tenant by tenant (the table's
-- row-level security is forced).
DO $$
DECLARE
  t uuid;
BEGIN
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    UPDATE skeldir.tenant_paypal_certificates AS c
       SET (rsa_modulus, rsa_exponent) = (SELECT k.modulus, k.exponent FROM skeldir.certificate_rsa_key(c.certificate_pem) AS k)
     WHERE c.rsa_modulus IS NULL;
  END LOOP;
  PERFORM set_config('app.current_tenant_id', '', true);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.ingest_webhooks(text[], text[], jsonb[], bytea[], uuid[]);
DROP FUNCTION api.ingest_webhook(text, text, jsonb, bytea, uuid);
DROP FUNCTION skeldir.ingest_delivery(text, text, jsonb, bytea, uuid);
DROP FUNCTION skeldir.signature_valid(skeldir.vendor, jsonb, bytea);
DROP FUNCTION skeldir.paypal_transmission_valid(jsonb, bytea, skeldir.tenant_paypal_certificates);
