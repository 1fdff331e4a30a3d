-- migrate:up
-- The ingestion dead-letter queue (SPEC §2.3, §4.6): authenticated deliveries
-- that could not be used. A body that is not JSON is not kept at all (PII
-- cannot be removed from what cannot be parsed): only its digest and size.
-- The same bad body again counts another occurrence of the open dead event
-- instead of adding a row.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.dead_events (
  tenant_id          uuid NOT NULL REFERENCES skeldir.tenants (id),
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  vendor             skeldir.vendor NOT NULL,
  topic              text,
  idempotency_header text,
  error_type         text NOT NULL,
  error_message      text NOT NULL,
  payload            jsonb,
  pii_paths          text[] NOT NULL DEFAULT '{}',
  body_sha256        bytea NOT NULL,
  body_bytes         integer NOT NULL,
  correlation_id     uuid NOT NULL,
  status             skeldir.remediation_status NOT NULL DEFAULT 'pending',
  retry_count        integer NOT NULL DEFAULT 0,
  next_retry_at      timestamptz NOT NULL DEFAULT now(),
  occurrences        integer NOT NULL DEFAULT 1,
  first_seen_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at       timestamptz NOT NULL DEFAULT now(),
  resolved_event_id  uuid,
  PRIMARY KEY (tenant_id, id)
);

-- At most one open dead event per distinct body.
CREATE UNIQUE INDEX dead_events_open_body_key ON skeldir.dead_events (tenant_id, vendor, body_sha256)
  WHERE status IN ('pending', 'in_progress');

COMMENT ON TABLE skeldir.dead_events IS
  'Authenticated but unusable webhook deliveries, PII-free, replayable (skeldird dlq).';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.dead_events;
