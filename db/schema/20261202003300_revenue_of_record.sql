-- migrate:up
-- The revenue of record: the ledger rows that are the merchant's revenue,
-- each sale once. A sale reported by its shop (Shopify, WooCommerce) and by
-- its processor (Stripe, PayPal, carrying the shop's order id as their order
-- reference) is booked twice in the ledger, once per side, because
-- reconciliation compares the two. Revenue counts it once:
--
-- * the shop's rows (its captures and refunds) are the order's revenue: the
--   shop knows the order (items, discounts, shipping, what the customer was
--   charged for), and its refunds are the ones the merchant issued;
-- * a processor's capture or refund counts only when no shop has captured
--   the order it belongs to (a processor-only sale: an invoice, a payment
--   link, a store that sends no webhooks);
-- * a chargeback always counts: only the processor knows of it, and it is
--   money the merchant lost whoever booked the sale.
--
-- A processor row belongs to the order of the capture it reverses (a Stripe
-- refund names its payment intent, a PayPal refund its capture), else to the
-- order reference it carries itself, as reconciliation matches them
-- (skeldir.reconcile). A processor refund of a shop's order that the shop
-- never reported is therefore not subtracted here; reconciliation shows that
-- order as a discrepancy, which is where the merchant can act on it.
--
-- security_invoker: the reader's own row-level security applies.
SET LOCAL ROLE skeldir_owner;

CREATE VIEW skeldir.revenue_of_record WITH (security_invoker = true) AS
SELECT l.*
  FROM skeldir.revenue_ledger AS l
  JOIN skeldir.reconciliation_platforms AS p ON p.platform = l.vendor
  LEFT JOIN skeldir.revenue_ledger AS c
    ON p.side = 'processor' AND c.tenant_id = l.tenant_id AND c.vendor = l.vendor AND c.state = 'captured'
   AND c.transaction_id = coalesce(l.reverses_transaction_id, l.transaction_id)
 WHERE p.side = 'shop' OR l.state = 'chargeback'
    OR NOT EXISTS (SELECT FROM skeldir.revenue_ledger AS s
                     JOIN skeldir.reconciliation_platforms AS sp ON sp.platform = s.vendor AND sp.side = 'shop'
                    WHERE s.tenant_id = l.tenant_id AND s.state = 'captured'
                      AND s.order_id = coalesce(c.order_id, l.order_id));

COMMENT ON VIEW skeldir.revenue_of_record IS
  'The ledger rows that are revenue, each sale once: the shop''s for an order a shop reports, else the processor''s; chargebacks always.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP VIEW skeldir.revenue_of_record;
