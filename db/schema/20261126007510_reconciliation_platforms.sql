-- migrate:up
-- The platforms reconciliation compares, and on which side each stands:
-- shops claim orders, processors capture money. A reference table, so that
-- the run, the status table and the views built on them agree on the set and
-- a new vendor is one row, not a code change.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.reconciliation_platforms (
  platform     skeldir.vendor PRIMARY KEY,
  side         text NOT NULL CHECK (side IN ('shop', 'processor')),
  display_name text NOT NULL UNIQUE
);

INSERT INTO skeldir.reconciliation_platforms (platform, side, display_name) VALUES
  ('shopify',     'shop',      'Shopify'),
  ('woocommerce', 'shop',      'WooCommerce'),
  ('stripe',      'processor', 'Stripe'),
  ('paypal',      'processor', 'PayPal');

COMMENT ON TABLE skeldir.reconciliation_platforms IS
  'Platforms reconciliation compares: shops (claims) and processors (captures); a reference table.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.reconciliation_platforms;
