-- migrate:up
-- Money as shops and processors report it (SPEC §2.3): one row per tenant,
-- vendor, transaction and state, however many webhooks announce it. Amounts
-- are positive; refunds and chargebacks subtract when revenue is summed.
-- Append-only.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.revenue_ledger (
  tenant_id      uuid NOT NULL REFERENCES skeldir.tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  vendor         skeldir.vendor NOT NULL,
  transaction_id text NOT NULL,
  state          skeldir.ledger_state NOT NULL,
  order_id       text NOT NULL,
  amount_cents   bigint NOT NULL CHECK (amount_cents >= 0),
  currency       text NOT NULL REFERENCES skeldir.currencies (code),
  event_id       uuid NOT NULL,
  occurred_at    timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, vendor, transaction_id, state),
  FOREIGN KEY (tenant_id, event_id) REFERENCES skeldir.attribution_events (tenant_id, id)
);

CREATE INDEX revenue_ledger_order_idx ON skeldir.revenue_ledger (tenant_id, order_id);
CREATE INDEX revenue_ledger_occurred_idx ON skeldir.revenue_ledger (tenant_id, occurred_at);

COMMENT ON TABLE skeldir.revenue_ledger IS
  'Captured, refunded and charged-back money per transaction; booked once per state; append-only.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.revenue_ledger;
