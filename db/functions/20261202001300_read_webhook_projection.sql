-- migrate:up
-- skeldir.read_webhook, storing a projection: the payload kept is the
-- delivery projected onto its vendor's shape (skeldir.project_payload), and
-- the readers read that projection, so what a replay of a stored payload
-- reads is what the first reading read. pii_paths now lists every path
-- dropped. A delivery key that is itself personal data (an email as
-- X-Idempotency-Key) is dead-lettered rather than stored.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea,
                                                OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery,
                                                OUT payload jsonb, OUT pii_paths text[],
                                                OUT error_type text, OUT error_message text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  doc jsonb;
  projected record;
BEGIN
  BEGIN
    doc := convert_from(body, 'UTF8')::jsonb;
    projected := skeldir.project_payload(vendor, doc);
    payload := projected.kept;
    pii_paths := projected.dropped;
    topic_name := coalesce(topic_hint, CASE vendor WHEN 'stripe' THEN payload ->> 'type'
                                                   WHEN 'paypal' THEN payload ->> 'event_type' END);
    SELECT * INTO topic FROM skeldir.webhook_topics AS t
     WHERE t.vendor = read_webhook.vendor AND t.topic = topic_name;
    IF NOT FOUND THEN
      PERFORM skeldir.unusable('unsupported_topic', format('%s topic %s is not supported', vendor,
                                                           coalesce(quote_literal(left(topic_name, 100)), '(none)')));
    END IF;
    IF length(idempotency_header) > 255 THEN
      PERFORM skeldir.unusable('invalid_idempotency_key', 'the delivery id or X-Idempotency-Key is longer than 255 characters');
    END IF;
    IF skeldir.pii_value(idempotency_header) THEN
      PERFORM skeldir.unusable('invalid_idempotency_key', 'the delivery id or X-Idempotency-Key holds personal data');
    END IF;
    d := skeldir.read_delivery(topic, payload);
  EXCEPTION
    WHEN SQLSTATE 'SK422' THEN
      GET STACKED DIAGNOSTICS error_message = MESSAGE_TEXT, error_type = PG_EXCEPTION_DETAIL;
    WHEN character_not_in_repertoire THEN
      error_type := 'invalid_utf8';
      error_message := 'body is not valid UTF-8 text';
    WHEN data_exception OR program_limit_exceeded THEN
      error_type := CASE WHEN doc IS NULL THEN 'malformed_json' ELSE 'invalid_payload' END;
      GET STACKED DIAGNOSTICS error_message = MESSAGE_TEXT;
  END;
  topic_name := coalesce(topic_name, topic_hint);
  pii_paths := coalesce(pii_paths, '{}');
  IF error_type IS NOT NULL THEN
    topic := NULL;
    d := NULL;
  END IF;
END
$$;

-- migrate:down
-- (skeldir.read_webhook keeps this body; 20261126003900 defines the one before.)
SELECT 1;
