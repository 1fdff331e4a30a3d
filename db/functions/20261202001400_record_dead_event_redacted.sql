-- migrate:up
-- skeldir.record_dead_event, storing nothing personal from the request
-- either: the payload is already a projection, and the topic, the error
-- message (which may quote the topic) and the delivery key come from
-- headers a sender controls, so personal values in them are redacted, and a
-- key holding any is not kept.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.record_dead_event(vendor skeldir.vendor, topic text, idempotency_header text,
                                                     error_type text, error_message text, payload jsonb,
                                                     pii_paths text[], body bytea, correlation_id uuid)
RETURNS uuid
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  INSERT INTO skeldir.dead_events AS x
    (tenant_id, vendor, topic, idempotency_header, error_type, error_message, payload, pii_paths,
     body_sha256, body_bytes, correlation_id)
  VALUES
    (skeldir.current_tenant_id(), vendor, left(skeldir.redact_pii(topic), 255),
     CASE WHEN NOT skeldir.pii_value(idempotency_header) THEN left(idempotency_header, 255) END, error_type,
     left(skeldir.redact_pii(error_message), 1000), payload, coalesce(pii_paths, '{}'), sha256(body), length(body),
     correlation_id)
  ON CONFLICT (tenant_id, vendor, body_sha256) WHERE status IN ('pending', 'in_progress')
  DO UPDATE SET occurrences = x.occurrences + 1, last_seen_at = now()
  RETURNING x.id;
END;

-- migrate:down
-- (skeldir.record_dead_event keeps this body; 20261126003800 defines the one before.)
SELECT 1;
