-- migrate:up
-- The change feed (SPEC §7) reads committed inserts into the ingestion tables
-- from a logical replication slot through this publication. Only inserts:
-- both tables are append-only. Column lists keep the stream to what the feed
-- decides with (no payloads); row filters cannot help, since they may not
-- read the enum columns that say what a row is.
SET LOCAL ROLE skeldir_owner;

CREATE PUBLICATION skeldir_ingest
  FOR TABLE skeldir.attribution_events (tenant_id, id, event_type, order_id, revenue_cents, occurred_at),
            skeldir.revenue_ledger (tenant_id, id, state, amount_cents, occurred_at)
  WITH (publish = 'insert');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP PUBLICATION skeldir_ingest;
