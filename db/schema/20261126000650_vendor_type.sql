-- migrate:up
-- The webhook senders Skeldir accepts. One type, so that adding a vendor is one
-- ALTER TYPE and every table, check and loop over vendors follows.
SET LOCAL ROLE skeldir_owner;

CREATE TYPE skeldir.vendor AS ENUM ('shopify', 'stripe', 'paypal', 'woocommerce');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TYPE skeldir.vendor;
