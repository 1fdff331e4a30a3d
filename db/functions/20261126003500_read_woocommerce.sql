-- migrate:up
-- WooCommerce orders (SPEC §4.3). Created and completed book the order total
-- once; an update books only when the order becomes completed or refunded; a
-- refund books the sum of the order's refunds. Attribution comes from
-- meta_data, including WooCommerce's own order-attribution keys.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.read_woocommerce(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  meta jsonb := doc -> 'meta_data';
  refunds jsonb := CASE jsonb_typeof(doc -> 'refunds') WHEN 'array' THEN doc -> 'refunds' ELSE '[]' END;
BEGIN
  d.external_id := skeldir.required(doc, 'id');
  d.order_id := d.external_id;
  d.transaction_id := d.external_id;
  d.currency := doc ->> 'currency';
  d.revenue_cents := skeldir.to_minor_units(doc -> 'total', d.currency);
  d.ledger_state := CASE WHEN topic.topic <> 'order.updated' THEN topic.ledger_state
                         WHEN doc ->> 'status' = 'completed' THEN 'captured'
                         WHEN doc ->> 'status' = 'refunded' THEN 'refunded' END;
  IF topic.event_type = 'refund' AND jsonb_array_length(refunds) > 0 THEN
    -- WooCommerce lists refund totals as negative numbers ("-10.00"); an
    -- explicit amount must be given as the positive sum it is.
    SELECT sum(CASE WHEN r ? 'amount' THEN skeldir.to_minor_units(r -> 'amount', d.currency)
                    ELSE skeldir.to_minor_units(to_jsonb(ltrim(r ->> 'total', '-')), d.currency) END)
      INTO d.revenue_cents
      FROM jsonb_array_elements(refunds) AS r;
  END IF;
  d.occurred_at := coalesce(skeldir.utc_time(doc -> 'date_created_gmt'), skeldir.utc_time(doc -> 'date_created'));
  d.session_id := skeldir.attribute(meta, 'key', 'value', 'skeldir_session_id', 'session_id');
  d.utm_source := skeldir.attribute(meta, 'key', 'value', 'utm_source', '_wc_order_attribution_utm_source');
  d.utm_medium := skeldir.attribute(meta, 'key', 'value', 'utm_medium', '_wc_order_attribution_utm_medium');
  d.referrer := skeldir.attribute(meta, 'key', 'value', 'referrer', '_wc_order_attribution_referrer');
  RETURN d;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_woocommerce(skeldir.webhook_topics, jsonb);
