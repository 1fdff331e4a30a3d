-- migrate:up
-- Reading a payload: the vendor's mapping, then the limits every delivery
-- must respect before it can be stored (identifiers are indexed, so they are
-- bounded; a timestamp-less payload happened when it arrived).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.classify_channel(utm_source text, utm_medium text, referrer text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
  RETURN coalesce(
    (SELECT r.channel_code FROM skeldir.channel_rules AS r
      WHERE (r.utm_source_pattern IS NULL OR utm_source ~* r.utm_source_pattern)
        AND (r.utm_medium_pattern IS NULL OR utm_medium ~* r.utm_medium_pattern)
        AND (r.referrer_pattern IS NULL OR referrer ~* r.referrer_pattern)
      ORDER BY r.priority
      LIMIT 1),
    CASE WHEN coalesce(utm_source, utm_medium, referrer) IS NULL THEN 'direct' ELSE 'unknown' END);
END
$$;

CREATE FUNCTION skeldir.read_delivery(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
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
              length(d.utm_source), length(d.utm_medium)) > 255 OR length(d.referrer) > 2048 THEN
    PERFORM skeldir.unusable('invalid_field', 'an identifier is longer than 255 characters (a referrer, 2048)');
  END IF;
  d.currency := upper(d.currency);
  d.occurred_at := coalesce(d.occurred_at, now());
  RETURN d;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_delivery(skeldir.webhook_topics, jsonb);
DROP FUNCTION skeldir.classify_channel(text, text, text);
