-- migrate:up
-- PayPal events (SPEC §4.3): the object is resource; v1 sales carry
-- amount.total/currency, v2 captures amount.value/currency_code. A refund
-- belongs to the order of the sale or capture it refunds. custom_id carries
-- the Skeldir session.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.read_paypal(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  r jsonb := doc -> 'resource';
  refunded text;
BEGIN
  IF jsonb_typeof(r) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('missing_field', 'required field resource is missing or not an object');
  END IF;
  d.external_id := skeldir.required(r, 'id');
  d.currency := coalesce(r #>> '{amount,currency}', r #>> '{amount,currency_code}');
  d.revenue_cents := skeldir.to_minor_units(coalesce(r #> '{amount,total}', r #> '{amount,value}'), d.currency);
  IF topic.event_type = 'refund' THEN
    refunded := coalesce(nullif(r ->> 'sale_id', ''), nullif(r ->> 'capture_id', ''),
                         (SELECT substring(l ->> 'href' FROM '/(?:captures|sale)/([^/?]+)$')
                            FROM jsonb_array_elements(CASE jsonb_typeof(r -> 'links') WHEN 'array' THEN r -> 'links' ELSE '[]' END) AS l
                           WHERE l ->> 'rel' = 'up' LIMIT 1));
  END IF;
  d.order_id := coalesce(nullif(r ->> 'invoice_id', ''), refunded, d.external_id);
  d.transaction_id := d.external_id;
  d.ledger_state := topic.ledger_state;
  d.occurred_at := coalesce(skeldir.utc_time(r -> 'create_time'), skeldir.utc_time(doc -> 'create_time'));
  d.session_id := nullif(coalesce(r ->> 'custom_id', r ->> 'custom'), '');
  RETURN d;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_paypal(skeldir.webhook_topics, jsonb);
