-- migrate:up
-- Shopify, money as it moved: an order whose financial_status says no money
-- was taken yet (pending, authorized) or none will be (voided) books nothing
-- and is recorded as an order_update; its orders/paid books it then. An order
-- without financial_status is read as paid, as before (the seed's shape). A
-- refund books its successful refund transactions under the refund's id and
-- at the refund's own time, reversing the order's capture.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_shopify(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  notes jsonb := doc -> 'note_attributes';
  refund_lines jsonb;
BEGIN
  d.occurred_at := coalesce(skeldir.utc_time(doc -> 'created_at'), skeldir.utc_time(doc -> 'processed_at'));
  d.session_id := skeldir.attribute(notes, 'name', 'value', 'skeldir_session_id', 'session_id');
  d.utm_source := coalesce(skeldir.attribute(notes, 'name', 'value', 'utm_source'),
                           skeldir.url_param(doc ->> 'landing_site', 'utm_source'));
  d.utm_medium := coalesce(skeldir.attribute(notes, 'name', 'value', 'utm_medium'),
                           skeldir.url_param(doc ->> 'landing_site', 'utm_medium'));
  d.referrer := nullif(btrim(doc ->> 'referring_site'), '');
  d.ledger_state := topic.ledger_state;

  CASE topic.event_type
  WHEN 'refund' THEN
    d.external_id := skeldir.required(doc, 'id');
    d.order_id := skeldir.required(doc, 'order_id');
    d.transaction_id := d.external_id;
    d.reverses_transaction_id := d.order_id;
    refund_lines := coalesce(jsonb_path_query_array(doc,
      '$.transactions[*] ? ((!exists(@.kind) || @.kind == "refund") && (!exists(@.status) || @.status == "success"))'), '[]');
    IF jsonb_array_length(refund_lines) = 0 THEN
      PERFORM skeldir.unusable('invalid_amount', 'refund carries no successful refund transactions');
    END IF;
    d.currency := coalesce(refund_lines -> 0 ->> 'currency', doc ->> 'currency');
    SELECT sum(skeldir.to_minor_units(t -> 'amount', d.currency)) INTO d.revenue_cents
      FROM jsonb_array_elements(refund_lines) AS t;
  WHEN 'checkout' THEN
    d.external_id := skeldir.required(doc, 'token');
    d.order_id := doc ->> 'order_id';
    d.currency := doc ->> 'currency';
    d.revenue_cents := skeldir.to_minor_units(doc -> 'total_price', d.currency);
  ELSE
    d.external_id := skeldir.required(doc, 'id');
    d.order_id := d.external_id;
    d.transaction_id := d.external_id;
    d.currency := coalesce(doc ->> 'currency', doc ->> 'presentment_currency');
    d.revenue_cents := skeldir.to_minor_units(doc -> 'total_price', d.currency);
    IF doc ->> 'financial_status' IN ('pending', 'authorized', 'voided') THEN
      d.event_type := 'order_update';
      d.ledger_state := NULL;
    END IF;
  END CASE;
  RETURN d;
END
$$;

-- migrate:down
-- (skeldir.read_shopify keeps this body; 20261126003200 defines the one before.)
SELECT 1;
