-- migrate:up
-- Every webhook Skeldir understands, per vendor: the vendor's own topic name,
-- the paths it is posted to under /api/webhooks/<vendor>/, the name the
-- idempotency key is derived from (as the system Skeldir replaces derived
-- it), what kind of event it is and what it books in the ledger. A path not
-- listed here is a 404; a topic not listed here is dead-lettered.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.webhook_topics (
  vendor       skeldir.vendor NOT NULL,
  topic        text NOT NULL,
  paths        text[] NOT NULL,
  key_name     text NOT NULL CHECK (key_name ~ '^[a-z_]+$'),
  event_type   skeldir.event_type NOT NULL,
  ledger_state skeldir.ledger_state,
  PRIMARY KEY (vendor, topic)
);

INSERT INTO skeldir.webhook_topics (vendor, topic, paths, key_name, event_type, ledger_state) VALUES
  ('shopify',     'orders/create',                 '{order_create}',                                    'order_create',                  'purchase',     'captured'),
  ('shopify',     'orders/paid',                   '{orders/paid}',                                     'order_paid',                    'purchase',     'captured'),
  ('shopify',     'refunds/create',                '{refunds/create}',                                  'refund_create',                 'refund',       'refunded'),
  ('shopify',     'checkouts/update',              '{checkouts/update}',                                'checkout_update',               'checkout',     NULL),
  ('stripe',      'charge.succeeded',              '{charge/succeeded}',                                'charge_succeeded',              'purchase',     'captured'),
  ('stripe',      'payment_intent.succeeded',      '{payment_intent/succeeded,payment_intent_succeeded}', 'payment_intent_succeeded',    'purchase',     'captured'),
  ('stripe',      'charge.refunded',               '{charge/refunded}',                                 'charge_refunded',               'refund',       'refunded'),
  ('stripe',      'payment_intent.payment_failed', '{}',                                                'payment_intent_payment_failed', 'order_update', NULL),
  ('paypal',      'PAYMENT.SALE.COMPLETED',        '{sale_completed}',                                  'sale_completed',                'purchase',     'captured'),
  ('paypal',      'PAYMENT.CAPTURE.COMPLETED',     '{payment/capture/completed}',                       'capture_completed',             'purchase',     'captured'),
  ('paypal',      'PAYMENT.SALE.REFUNDED',         '{payment/sale/refunded}',                           'sale_refunded',                 'refund',       'refunded'),
  ('paypal',      'PAYMENT.CAPTURE.REFUNDED',      '{}',                                                'capture_refunded',              'refund',       'refunded'),
  ('woocommerce', 'order.created',                 '{order/created}',                                   'order_created',                 'purchase',     'captured'),
  ('woocommerce', 'order.updated',                 '{order/updated}',                                   'order_updated',                 'order_update', NULL),
  ('woocommerce', 'order.completed',               '{order_completed}',                                 'order_completed',               'purchase',     'captured'),
  ('woocommerce', 'order.refunded',                '{order/refunded}',                                  'order_refunded',                'refund',       'refunded');

COMMENT ON TABLE skeldir.webhook_topics IS
  'Supported webhook topics per vendor, their paths, idempotency-key names, event types and ledger states.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.webhook_topics;
