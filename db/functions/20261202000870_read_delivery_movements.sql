-- migrate:up
-- skeldir.read_delivery, bounding the movements' identifiers as it bounds
-- the delivery's (they are indexed).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_delivery(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
BEGIN
  IF jsonb_typeof(doc) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('invalid_shape', 'payload is not a JSON object');
  END IF;
  d := CASE topic.vendor
         WHEN 'shopify' THEN skeldir.read_shopify(topic, doc)
         WHEN 'stripe' THEN skeldir.read_stripe(topic, doc)
         WHEN 'paypal' THEN skeldir.read_paypal(topic, doc)
         WHEN 'woocommerce' THEN skeldir.read_woocommerce(topic, doc)
       END;
  IF greatest(length(d.external_id), length(d.order_id), length(d.transaction_id), length(d.session_id),
              length(d.utm_source), length(d.utm_medium), length(d.reverses_transaction_id),
              (SELECT max(length(m.transaction_id)) FROM unnest(d.movements) AS m)) > 255
     OR length(d.referrer) > 2048 THEN
    PERFORM skeldir.unusable('invalid_field', 'an identifier is longer than 255 characters (a referrer, 2048)');
  END IF;
  d.currency := upper(d.currency);
  d.occurred_at := coalesce(d.occurred_at, now());
  RETURN d;
END
$$;

-- migrate:down
-- (skeldir.read_delivery keeps this body; 20261126003600 defines the one before.)
SELECT 1;
