-- migrate:up
-- Chargebacks (SPEC §2.3 ledger state `chargeback`): Stripe's
-- charge.dispute.created carries the disputed amount and the payment
-- intent, so it books against the same transaction as the capture and
-- subtracts from revenue. skeldir.read_stripe reads it as it is.
SET LOCAL ROLE skeldir_owner;

INSERT INTO skeldir.webhook_topics (vendor, topic, paths, key_name, event_type, ledger_state)
VALUES ('stripe', 'charge.dispute.created', '{charge/dispute/created}', 'charge_dispute_created', 'refund', 'chargeback');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.webhook_topics WHERE vendor = 'stripe' AND topic = 'charge.dispute.created';
