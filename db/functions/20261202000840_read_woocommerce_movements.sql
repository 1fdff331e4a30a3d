-- migrate:up
-- WooCommerce, money as it moved. Every order delivery (created, updated,
-- completed, refunded) applies the order's current state: processing,
-- completed or refunded means it was paid, so its total is captured once
-- (under the order id, dated when paid); pending, failed, on-hold,
-- cancelled and checkout-draft mean no money moved yet, recorded as an
-- order_update. Each entry of refunds[] books once under its refund id; an
-- order refunded without entries books the rest of its total. Refunds never
-- sum to more than the order's total. WooCommerce's refund entries carry no
-- date, so a refund is dated by the order's last modification (the closest
-- the payload holds to the refund's own time).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_woocommerce(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  meta jsonb := doc -> 'meta_data';
  refunds jsonb := CASE jsonb_typeof(doc -> 'refunds') WHEN 'array' THEN doc -> 'refunds' ELSE '[]' END;
  status text := doc ->> 'status';
  paid boolean;
  paid_at timestamptz;
  modified_at timestamptz;
  refunded bigint;
BEGIN
  d.external_id := skeldir.required(doc, 'id');
  d.order_id := d.external_id;
  d.transaction_id := d.external_id;
  d.currency := doc ->> 'currency';
  d.revenue_cents := skeldir.to_minor_units(doc -> 'total', d.currency);
  d.occurred_at := coalesce(skeldir.utc_time(doc -> 'date_created_gmt'), skeldir.utc_time(doc -> 'date_created'));
  d.session_id := skeldir.attribute(meta, 'key', 'value', 'skeldir_session_id', 'session_id');
  d.utm_source := skeldir.attribute(meta, 'key', 'value', 'utm_source', '_wc_order_attribution_utm_source');
  d.utm_medium := skeldir.attribute(meta, 'key', 'value', 'utm_medium', '_wc_order_attribution_utm_medium');
  d.referrer := skeldir.attribute(meta, 'key', 'value', 'referrer', '_wc_order_attribution_referrer');

  -- Without a status (the seed's shape) the topic says what happened.
  paid := CASE WHEN status IS NULL THEN topic.ledger_state IS NOT NULL
               ELSE status IN ('processing', 'completed', 'refunded') END;
  paid_at := coalesce(skeldir.utc_time(doc -> 'date_paid_gmt'), skeldir.utc_time(doc -> 'date_paid'), d.occurred_at);
  modified_at := coalesce(skeldir.utc_time(doc -> 'date_modified_gmt'), skeldir.utc_time(doc -> 'date_modified'),
                          d.occurred_at);
  d.event_type := CASE WHEN topic.event_type = 'refund' OR status = 'refunded' THEN 'refund'
                       WHEN NOT paid THEN 'order_update'
                       ELSE 'purchase' END;
  d.ledger_state := NULL;
  d.reverses_transaction_id := d.transaction_id;
  d.refund_cap_cents := d.revenue_cents;
  -- WooCommerce lists refund totals as negative numbers ("-10.00"); an
  -- explicit amount must be given as the positive sum it is.
  d.movements := ARRAY(
      SELECT ROW(d.transaction_id, 'captured', d.revenue_cents, paid_at)::skeldir.money_movement WHERE paid)
    || ARRAY(
      SELECT ROW(skeldir.required(r, 'id'), 'refunded',
                 CASE WHEN r ? 'amount' THEN skeldir.to_minor_units(r -> 'amount', d.currency)
                      ELSE skeldir.to_minor_units(to_jsonb(ltrim(r ->> 'total', '-')), d.currency) END,
                 modified_at)::skeldir.money_movement
        FROM jsonb_array_elements(refunds) WITH ORDINALITY AS e(r, n)
       WHERE paid
       ORDER BY n)
    || ARRAY(
      SELECT ROW(d.transaction_id || '/refunded', 'refunded', d.revenue_cents, modified_at)::skeldir.money_movement
       WHERE paid AND (status = 'refunded' OR (status IS NULL AND topic.event_type = 'refund'))
         AND jsonb_array_length(refunds) = 0);
  IF d.event_type = 'refund' THEN
    d.occurred_at := modified_at;
    SELECT coalesce(sum(m.amount_cents), 0) INTO refunded FROM unnest(d.movements) AS m WHERE m.state = 'refunded';
    d.revenue_cents := least(refunded, d.revenue_cents);
  END IF;
  RETURN d;
END
$$;

-- migrate:down
-- (skeldir.read_woocommerce keeps this body; 20261126003500 defines the one before.)
SELECT 1;
