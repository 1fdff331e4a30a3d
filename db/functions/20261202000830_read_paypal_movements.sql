-- migrate:up
-- PayPal, money as it moved: a capture or sale whose status is not COMPLETED
-- (v2 status, v1 state; PENDING for an eCheck or a held payment) books
-- nothing and is recorded as an order_update; the later COMPLETED event books
-- it. A refund books under its own id at its own time, reversing the sale or
-- capture it names, once it has completed.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_paypal(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  r jsonb := doc -> 'resource';
  refunded text;
  status text;
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
    d.reverses_transaction_id := refunded;
  END IF;
  d.order_id := coalesce(nullif(r ->> 'invoice_id', ''), refunded, d.external_id);
  d.transaction_id := d.external_id;
  d.ledger_state := topic.ledger_state;
  d.occurred_at := coalesce(skeldir.utc_time(r -> 'create_time'), skeldir.utc_time(doc -> 'create_time'));
  d.session_id := nullif(coalesce(r ->> 'custom_id', r ->> 'custom'), '');

  status := upper(coalesce(r ->> 'status', r ->> 'state', 'COMPLETED'));
  IF d.ledger_state IS NOT NULL AND status <> 'COMPLETED' THEN
    d.ledger_state := NULL;
    IF topic.event_type = 'purchase' THEN
      d.event_type := 'order_update';
    END IF;
  END IF;
  RETURN d;
END
$$;

-- migrate:down
-- (skeldir.read_paypal keeps this body; 20261126003400 defines the one before.)
SELECT 1;
