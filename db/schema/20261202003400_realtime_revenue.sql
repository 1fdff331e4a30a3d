-- migrate:up
-- Revenue so far per tenant and currency, from the revenue of record
-- (skeldir.revenue_of_record): captured minus refunded minus charged back.
-- It replaces the materialized view mv_realtime_revenue, which every tenant
-- shared: refreshing that took the whole ledger each time, so it ran once a
-- minute and a sale could take that long to show. This table is refreshed
-- per tenant, moments after that tenant's money moves
-- (skeldir.refresh_realtime_revenue); refreshed_at is when its numbers were
-- computed, last_booked_at the newest ledger row they include.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.realtime_revenue (
  tenant_id        uuid NOT NULL REFERENCES skeldir.tenants (id),
  currency         text NOT NULL REFERENCES skeldir.currencies (code),
  captured_cents   bigint NOT NULL,
  refunded_cents   bigint NOT NULL,
  chargeback_cents bigint NOT NULL,
  net_cents        bigint NOT NULL,
  captures         bigint NOT NULL,
  last_booked_at   timestamptz NOT NULL,
  refreshed_at     timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, currency)
);

COMMENT ON TABLE skeldir.realtime_revenue IS
  'Revenue of record so far per tenant and currency; refreshed per tenant after its money moves.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.realtime_revenue;
