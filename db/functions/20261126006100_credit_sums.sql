-- migrate:up
-- No drift: after every statement that touches credits, each purchase it
-- touched either has no credits or, under every model, credits summing
-- exactly to the purchase's revenue. Checked per statement, over the
-- statement's transition rows, so a recompute (one statement writing a
-- window's rows) is checked once, in bulk.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.check_credit_sums() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  drift record;
BEGIN
  SELECT c.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch, sum(a.first_touch_cents) AS first_touch,
         sum(a.linear_cents) AS linear, sum(a.time_decay_cents) AS time_decay INTO drift
    FROM (SELECT DISTINCT tenant_id, event_id FROM changed) AS c
    JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id
    JOIN skeldir.attribution_credits AS a ON a.tenant_id = c.tenant_id AND a.event_id = c.event_id
   GROUP BY c.event_id, e.revenue_cents
  HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
              AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER credit_sums_insert AFTER INSERT ON skeldir.attribution_credits
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();
CREATE TRIGGER credit_sums_update AFTER UPDATE ON skeldir.attribution_credits
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();
CREATE TRIGGER credit_sums_delete AFTER DELETE ON skeldir.attribution_credits
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.check_credit_sums();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER credit_sums_delete ON skeldir.attribution_credits;
DROP TRIGGER credit_sums_update ON skeldir.attribution_credits;
DROP TRIGGER credit_sums_insert ON skeldir.attribution_credits;
DROP FUNCTION skeldir.check_credit_sums();
