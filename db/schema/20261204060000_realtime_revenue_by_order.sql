-- migrate:up
-- Realtime revenue kept by order (issue 15, target 5: a sale shows within
-- 2 s at the HTTP peak). A refresh summed every row of the tenant's revenue
-- of record, so its cost grew with the tenant's history (20 ms at 7,000
-- rows here, a second at a few hundred thousand) and, run back to back
-- under load, it took a core from ingest. A refresh now recomputes only the
-- orders booked since the last one and moves the totals by the difference.
--
-- The unit is the order, as skeldir.revenue_of_record decides what counts:
-- whether a ledger row is revenue depends only on the rows of its order (a
-- shop's capture of it; the processor capture a refund reverses). Its
-- order_key (the column the view gains in 20261204060200) is that order.
--
-- realtime_revenue_orders: each order's contribution per currency, the
-- sums the tenant's totals are made of. realtime_revenue_marks: the orders
-- whose rows changed since the last refresh (written by a trigger on the
-- ledger, 20261204060100). realtime_revenue.records: how many rows of record
-- a currency holds, so that a currency left with none goes, as a full
-- refresh dropped it. Derived, like the credits: the refresh rebuilds what
-- it needs from the ledger.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.realtime_revenue_orders (
  tenant_id        uuid NOT NULL REFERENCES skeldir.tenants (id),
  order_key        text NOT NULL,
  currency         text NOT NULL REFERENCES skeldir.currencies (code),
  captured_cents   bigint NOT NULL,
  refunded_cents   bigint NOT NULL,
  chargeback_cents bigint NOT NULL,
  net_cents        bigint NOT NULL,
  captures         bigint NOT NULL,
  records          bigint NOT NULL,
  last_booked_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, order_key, currency)
);

COMMENT ON TABLE skeldir.realtime_revenue_orders IS
  'Per tenant, order and currency, what the order adds to the realtime revenue (its rows of record); the totals are their sums.';

CREATE TABLE skeldir.realtime_revenue_marks (
  tenant_id uuid NOT NULL REFERENCES skeldir.tenants (id),
  order_key text NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, order_key)
);

COMMENT ON TABLE skeldir.realtime_revenue_marks IS
  'Orders whose ledger rows changed since the tenant''s last realtime revenue refresh; the refresh takes them.';

ALTER TABLE skeldir.realtime_revenue ADD COLUMN records bigint NOT NULL DEFAULT 0;

-- migrate:down
-- (Forward only, README "Migrations".)
