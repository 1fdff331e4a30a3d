-- migrate:up
-- One row per accepted webhook delivery type (SPEC §2.3): an order's
-- orders/create and orders/paid are two events, but a second delivery with
-- the same idempotency key is the same event. Append-only; the payload is
-- stored with PII removed, and the removed paths are kept.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.attribution_events (
  tenant_id       uuid NOT NULL REFERENCES skeldir.tenants (id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  correlation_id  uuid NOT NULL,
  vendor          skeldir.vendor NOT NULL,
  topic           text NOT NULL,
  event_type      skeldir.event_type NOT NULL,
  external_id     text NOT NULL,
  order_id        text,
  session_id      text,
  revenue_cents   bigint NOT NULL CHECK (revenue_cents >= 0),
  currency        text REFERENCES skeldir.currencies (code),
  channel         text NOT NULL REFERENCES skeldir.channel_taxonomy (code),
  utm_source      text,
  utm_medium      text,
  referrer        text,
  occurred_at     timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  payload         jsonb NOT NULL,
  pii_paths       text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key),
  CHECK (revenue_cents = 0 OR currency IS NOT NULL)
);

CREATE INDEX attribution_events_occurred_idx ON skeldir.attribution_events (tenant_id, occurred_at);
CREATE INDEX attribution_events_order_idx ON skeldir.attribution_events (tenant_id, order_id)
  WHERE order_id IS NOT NULL;
-- Attribution's touchpoints: a session's events in time order, without the heap.
CREATE INDEX attribution_events_session_idx ON skeldir.attribution_events (tenant_id, session_id, occurred_at)
  INCLUDE (id, channel) WHERE session_id IS NOT NULL;

COMMENT ON TABLE skeldir.attribution_events IS
  'Accepted webhook deliveries, one per idempotency key; append-only, PII-free.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.attribution_events;
