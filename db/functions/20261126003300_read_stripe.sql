-- migrate:up
-- Stripe events (SPEC §4.3): the object is data.object, amounts are already
-- minor units and currencies lower-case. A charge and its payment intent are
-- one payment, so both book under the payment intent's id: revenue once.
-- Attribution comes from the object's metadata.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.read_stripe(topic skeldir.webhook_topics, doc jsonb) RETURNS skeldir.delivery
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  d skeldir.delivery;
  obj jsonb := doc #> '{data,object}';
  meta jsonb := doc #> '{data,object,metadata}';
BEGIN
  IF jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
    PERFORM skeldir.unusable('missing_field', 'required field data.object is missing or not an object');
  END IF;
  d.external_id := skeldir.required(obj, 'id');
  d.currency := upper(obj ->> 'currency');
  d.revenue_cents := skeldir.minor_units(
    CASE WHEN topic.topic = 'charge.refunded' AND obj ? 'amount_refunded' THEN obj -> 'amount_refunded'
         WHEN topic.topic = 'payment_intent.succeeded' AND obj ? 'amount_received' THEN obj -> 'amount_received'
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
  RETURN d;
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_stripe(skeldir.webhook_topics, jsonb);
