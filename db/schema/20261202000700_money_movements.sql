-- migrate:up
-- Money is booked once per money movement, not once per vendor object: a
-- Stripe charge refunded twice is two refunds, a WooCommerce order updated
-- from completed to refunded books its capture and its refund. A delivery
-- now says which movements it reports (skeldir.delivery.movements), whether
-- it reports money at all (event_type: an unpaid order is an order_update),
-- and, for refunds, the transaction they reverse and the most that may have
-- been refunded of it so far (a cumulative total such as Stripe's
-- amount_refunded).
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.money_movement AS (
  transaction_id text,                 -- the movement's own id (a refund id), unique per vendor and state
  state          skeldir.ledger_state,
  amount_cents   bigint,
  occurred_at    timestamptz           -- when the money moved (a refund's own time)
);

ALTER TYPE skeldir.delivery
  ADD ATTRIBUTE event_type skeldir.event_type,          -- overrides the topic's when set
  ADD ATTRIBUTE movements skeldir.money_movement[],      -- when set, what it books instead of the single row
  ADD ATTRIBUTE reverses_transaction_id text,            -- refunds: the captured transaction they reverse
  ADD ATTRIBUTE refund_cap_cents bigint;                 -- refunds: at most this much refunded of it in all

-- A refund row names the transaction it reverses, so the refunds of one
-- payment can be summed against its cumulative total. Rows booked before
-- this column existed reversed the transaction they were booked under.
ALTER TABLE skeldir.revenue_ledger ADD COLUMN reverses_transaction_id text;
CREATE INDEX revenue_ledger_reversed_idx ON skeldir.revenue_ledger
  (tenant_id, vendor, (coalesce(reverses_transaction_id, transaction_id))) WHERE state = 'refunded';

-- Topics whose money did not move yet, or moved when captured.
INSERT INTO skeldir.webhook_topics (vendor, topic, paths, key_name, event_type, ledger_state) VALUES
  ('stripe', 'charge.captured',           '{charge/captured}',          'charge_captured',   'purchase',     'captured'),
  ('paypal', 'PAYMENT.CAPTURE.PENDING',   '{payment/capture/pending}',  'capture_pending',   'order_update', NULL),
  ('paypal', 'PAYMENT.CAPTURE.DENIED',    '{payment/capture/denied}',   'capture_denied',    'order_update', NULL);

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.webhook_topics
 WHERE (vendor, topic) IN (('stripe', 'charge.captured'), ('paypal', 'PAYMENT.CAPTURE.PENDING'),
                           ('paypal', 'PAYMENT.CAPTURE.DENIED'));
DROP INDEX skeldir.revenue_ledger_reversed_idx;
ALTER TABLE skeldir.revenue_ledger DROP COLUMN reverses_transaction_id;
ALTER TYPE skeldir.delivery DROP ATTRIBUTE refund_cap_cents, DROP ATTRIBUTE reverses_transaction_id,
  DROP ATTRIBUTE movements, DROP ATTRIBUTE event_type;
DROP TYPE skeldir.money_movement;
