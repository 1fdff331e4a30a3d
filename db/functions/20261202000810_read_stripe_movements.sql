-- migrate:up
-- Stripe, money as it moved: a charge that is not captured (captured: false,
-- an authorization) or did not succeed books nothing and is recorded as an
-- order_update; charge.captured books it then. A charge.refunded event books
-- each refund in refunds.data[] under its own id and time, and whatever of
-- the cumulative amount_refunded those do not account for (newer API
-- versions omit the list) under <payment>/refunded/<amount_refunded>, never
-- more in all than amount_refunded: so however many refund events arrive, in
-- whatever order, the payment's refunds sum to the largest total announced.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_stripe(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  obj jsonb := doc #> '{data,object}';
  meta jsonb := doc #> '{data,object,metadata}';
  refunds jsonb;
BEGIN
  IF jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('missing_field', 'required field data.object is missing or not an object');
  END IF;
  d.external_id := skeldir.required(obj, 'id');
  d.currency := upper(obj ->> 'currency');
  d.revenue_cents := skeldir.minor_units(
    CASE WHEN topic.topic = 'charge.refunded' AND obj ? 'amount_refunded' THEN obj -> 'amount_refunded'
         WHEN topic.topic = 'payment_intent.succeeded' AND obj ? 'amount_received' THEN obj -> 'amount_received'
         WHEN topic.topic = 'charge.captured' AND obj ? 'amount_captured' THEN obj -> 'amount_captured'
         ELSE obj -> 'amount' END,
    d.currency);
  d.transaction_id := CASE WHEN obj ->> 'object' = 'payment_intent' OR d.external_id LIKE 'pi\_%'
                           THEN d.external_id
                           ELSE coalesce(nullif(obj ->> 'payment_intent', ''), d.external_id) END;
  d.order_id := coalesce(nullif(meta ->> 'order_id', ''), d.transaction_id);
  d.ledger_state := topic.ledger_state;
  d.occurred_at := coalesce(skeldir.utc_time(obj -> 'created'), skeldir.utc_time(doc -> 'created'));
  d.session_id := nullif(meta ->> 'skeldir_session_id', '');
  d.utm_source := nullif(meta ->> 'utm_source', '');
  d.utm_medium := nullif(meta ->> 'utm_medium', '');
  d.referrer := nullif(meta ->> 'referrer', '');

  IF topic.event_type = 'purchase'
     AND (obj -> 'captured' = 'false' OR coalesce(obj ->> 'status', 'succeeded') <> 'succeeded') THEN
    d.event_type := 'order_update';
    d.ledger_state := NULL;
  ELSIF topic.topic = 'charge.refunded' THEN
    refunds := CASE jsonb_typeof(obj #> '{refunds,data}') WHEN 'array' THEN obj #> '{refunds,data}' ELSE '[]' END;
    d.reverses_transaction_id := d.transaction_id;
    d.refund_cap_cents := d.revenue_cents;
    -- The refund's own time: the newest refund listed, else the event's.
    d.occurred_at := coalesce((SELECT max(skeldir.utc_time(r -> 'created')) FROM jsonb_array_elements(refunds) AS r),
                              skeldir.utc_time(doc -> 'created'), d.occurred_at);
    d.movements := ARRAY(
      SELECT ROW(skeldir.required(r, 'id'), 'refunded', skeldir.minor_units(r -> 'amount', d.currency),
                 coalesce(skeldir.utc_time(r -> 'created'), d.occurred_at))::skeldir.money_movement
        FROM jsonb_array_elements(refunds) WITH ORDINALITY AS e(r, n)
       WHERE coalesce(r ->> 'status', 'succeeded') IN ('succeeded', 'pending')
       ORDER BY skeldir.utc_time(r -> 'created'), n)
      || ROW(d.transaction_id || '/refunded/' || d.revenue_cents, 'refunded', d.revenue_cents,
             coalesce(skeldir.utc_time(doc -> 'created'), d.occurred_at))::skeldir.money_movement;
  END IF;
  RETURN d;
END
$$;

-- migrate:down
-- (skeldir.read_stripe keeps this body; 20261126003300 defines the one before.)
SELECT 1;
