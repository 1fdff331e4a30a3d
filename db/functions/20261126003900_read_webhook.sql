-- migrate:up
-- From raw bytes to a delivery, or to the reason it cannot be used. Nothing a
-- sender can put in a body escapes as an error: invalid UTF-8, malformed or
-- absurdly nested JSON, unknown topics and unusable fields all come back as
-- error_type and error_message, for a dead event. PII is stripped before
-- anything else reads the payload.
SET LOCAL ROLE skeldir_owner;

-- topic_hint is the topic the route or a header names; without one, Stripe
-- and PayPal bodies name their own. topic_name reports what was used.
CREATE FUNCTION skeldir.read_webhook(vendor skeldir.vendor, topic_hint text, idempotency_header text, body bytea,
                                     OUT topic_name text, OUT topic skeldir.webhook_topics, OUT d skeldir.delivery,
                                     OUT payload jsonb, OUT pii_paths text[],
                                     OUT error_type text, OUT error_message text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  doc jsonb;
  stripped record;
BEGIN
  BEGIN
    doc := convert_from(body, 'UTF8')::jsonb;
    -- payload only ever holds the stripped document.
    stripped := skeldir.strip_pii(doc);
    payload := stripped.clean;
    pii_paths := stripped.removed;
    topic_name := coalesce(topic_hint, CASE vendor WHEN 'stripe' THEN payload ->> 'type'
                                                   WHEN 'paypal' THEN payload ->> 'event_type' END);
    SELECT * INTO topic FROM skeldir.webhook_topics AS t
     WHERE t.vendor = read_webhook.vendor AND t.topic = topic_name;
    IF NOT FOUND THEN
      PERFORM skeldir.unusable('unsupported_topic', format('%s topic %s is not supported', vendor,
                                                           coalesce(quote_literal(left(topic_name, 100)), '(none)')));
    END IF;
    IF length(idempotency_header) > 255 THEN
      PERFORM skeldir.unusable('invalid_idempotency_key', 'X-Idempotency-Key is longer than 255 characters');
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
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.read_webhook(skeldir.vendor, text, text, bytea);
