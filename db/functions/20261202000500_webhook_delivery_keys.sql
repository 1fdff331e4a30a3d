-- migrate:up
-- Which delivery a webhook is, as its sender says (issue: idempotency from the
-- vendor's delivery): Shopify's X-Shopify-Webhook-Id and WooCommerce's
-- X-WC-Webhook-Delivery-ID name the delivery in a header; Stripe's event id
-- (evt_...) and PayPal's event id (WH-...) in the body. The vendor's name is
-- prefixed ("stripe:evt_..."), so two vendors' ids can never collide within a
-- tenant. X-Idempotency-Key, taken as sent, comes next; the seed's UUIDv5 of
-- the vendor object only when neither exists (skeldir.record_event).
SET LOCAL ROLE skeldir_owner;

-- What the headers say: the vendor's delivery header, else X-Idempotency-Key.
CREATE FUNCTION skeldir.header_delivery_key(vendor skeldir.vendor, headers jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(
  vendor::text || ':' || nullif(btrim(headers ->> CASE vendor WHEN 'shopify' THEN 'x-shopify-webhook-id'
                                                              WHEN 'woocommerce' THEN 'x-wc-webhook-delivery-id' END), ''),
  nullif(btrim(headers ->> 'x-idempotency-key'), ''));

-- What the body says: Stripe's and PayPal's event id. Ids longer than an
-- idempotency key may be are not ids.
CREATE FUNCTION skeldir.body_delivery_key(vendor skeldir.vendor, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN vendor IN ('stripe', 'paypal') AND length(btrim(payload ->> 'id')) BETWEEN 1 AND 200
            THEN vendor::text || ':' || btrim(payload ->> 'id') END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.body_delivery_key(skeldir.vendor, jsonb);
DROP FUNCTION skeldir.header_delivery_key(skeldir.vendor, jsonb);
