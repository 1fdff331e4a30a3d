-- migrate:up
-- Every ledger row marks the orders whose revenue of record it may change
-- (20261204060000), for the next realtime revenue refresh to recompute: its
-- own order; for a refund or chargeback, the order of the capture it
-- reverses (skeldir.revenue_of_record counts it with that order); for a
-- capture, the orders of the refunds and chargebacks that came before it
-- (they move to its order now that it is there). Marking too much only
-- costs a lookup; marking too little would leave a total wrong, so the
-- trigger is on the table: every writer marks, whatever path it took.
--
-- A mark is an upsert, which locks the mark row until the writer commits:
-- a refresh taking the marks waits for a writer still booking the order, so
-- the refresh's next statement sees the writer's rows. A writer that marks
-- after the refresh took the marks leaves a new mark for the next refresh
-- (which its own request for one makes: skeldir.request_realtime_revenue).
--
-- The trigger and the index serving its chargeback lookup are on the
-- ledger, which belongs to skeldir_books (20261204000700): this release
-- creates them as the migrating superuser.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.mark_realtime_revenue_orders() RETURNS trigger
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  INSERT INTO skeldir.realtime_revenue_marks AS m (tenant_id, order_key)
  SELECT NEW.tenant_id, k.order_key
    FROM (SELECT NEW.order_id AS order_key
          UNION
          SELECT c.order_id
            FROM skeldir.revenue_ledger AS c
           WHERE NEW.state <> 'captured' AND NEW.reverses_transaction_id IS NOT NULL
             AND c.tenant_id = NEW.tenant_id AND c.vendor = NEW.vendor AND c.state = 'captured'
             AND c.transaction_id = NEW.reverses_transaction_id
          UNION
          SELECT r.order_id
            FROM skeldir.revenue_ledger AS r
           WHERE NEW.state = 'captured' AND r.tenant_id = NEW.tenant_id AND r.vendor = NEW.vendor
             AND r.state = 'refunded' AND coalesce(r.reverses_transaction_id, r.transaction_id) = NEW.transaction_id
          UNION
          SELECT r.order_id
            FROM skeldir.revenue_ledger AS r
           WHERE NEW.state = 'captured' AND r.tenant_id = NEW.tenant_id AND r.vendor = NEW.vendor
             AND r.state = 'chargeback' AND coalesce(r.reverses_transaction_id, r.transaction_id) = NEW.transaction_id) AS k
  ON CONFLICT (tenant_id, order_key) DO UPDATE SET marked_at = excluded.marked_at;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION skeldir.mark_realtime_revenue_orders() IS
  'After a ledger insert: marks the orders whose revenue of record the row may change, for the next realtime revenue refresh.';

RESET ROLE;

-- The refunds' twin (revenue_ledger_reversed_idx): chargebacks by the
-- transaction they reverse.
CREATE INDEX revenue_ledger_charged_back_idx ON skeldir.revenue_ledger
  (tenant_id, vendor, (coalesce(reverses_transaction_id, transaction_id))) WHERE state = 'chargeback';

CREATE TRIGGER mark_realtime_revenue_orders AFTER INSERT ON skeldir.revenue_ledger
  FOR EACH ROW EXECUTE FUNCTION skeldir.mark_realtime_revenue_orders();

-- migrate:down
-- (Forward only, README "Migrations".)
