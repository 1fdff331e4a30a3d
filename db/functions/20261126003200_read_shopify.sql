-- migrate:up
-- Shopify payloads (SPEC §4.3). Orders book their total once per order,
-- refunds book the sum of their refund transactions, checkouts book nothing.
-- Attribution comes from note_attributes, then the landing page's UTM
-- parameters, and the referring site.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.read_shopify(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
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

  CASE topic.event_type
  WHEN 'refund' THEN
    d.external_id := skeldir.required(doc, 'id');
    d.order_id := skeldir.required(doc, 'order_id');
    d.transaction_id := d.external_id;
    refund_lines := coalesce(jsonb_path_query_array(doc, '$.transactions[*] ? (!exists(@.kind) || @.kind == "refund")'), '[]');
    IF jsonb_array_length(refund_lines) = 0 THEN
      PERFORM skeldir.unusable('invalid_amount', 'refund carries no refund transactions');
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
  END CASE;
  d.ledger_state := topic.ledger_state;
  RETURN d;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_shopify(skeldir.webhook_topics, jsonb);
