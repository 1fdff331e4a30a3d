-- migrate:up
-- No drift: after every statement that touches allocations, each purchase and
-- model it touched either has no allocations or allocations summing exactly
-- to the purchase's revenue. Checked per statement, over the statement's
-- transition rows, so a recompute (one statement replacing a window's rows)
-- is checked once, in bulk.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.check_allocation_sums() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  drift record;
BEGIN
  SELECT c.event_id, c.model, e.revenue_cents, sum(a.allocated_cents) AS allocated INTO drift
    FROM (SELECT DISTINCT tenant_id, event_id, model FROM changed) AS c
    JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id
    JOIN skeldir.attribution_allocations AS a
      ON a.tenant_id = c.tenant_id AND a.event_id = c.event_id AND a.model = c.model
   GROUP BY c.event_id, c.model, e.revenue_cents
  HAVING sum(a.allocated_cents) <> e.revenue_cents
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'allocations of event % under % sum to %, not its revenue %',
      drift.event_id, drift.model, drift.allocated, drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER allocation_sums_insert AFTER INSERT ON skeldir.attribution_allocations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_allocation_sums();
CREATE TRIGGER allocation_sums_update AFTER UPDATE ON skeldir.attribution_allocations
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_allocation_sums();
CREATE TRIGGER allocation_sums_delete AFTER DELETE ON skeldir.attribution_allocations
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_allocation_sums();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER allocation_sums_delete ON skeldir.attribution_allocations;
DROP TRIGGER allocation_sums_update ON skeldir.attribution_allocations;
DROP TRIGGER allocation_sums_insert ON skeldir.attribution_allocations;
DROP FUNCTION skeldir.check_allocation_sums();
