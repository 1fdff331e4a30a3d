-- migrate:up
-- The exact-sum guard (20261202004200), planned for the statement it checks
-- (issue 15, target 4). Its query was planned once per session and kept,
-- and planned with lookups: the planner cannot see the tenant behind the
-- policy and expects few rows, so a recompute from scratch checked its
-- 250,000 new credits by 100,000 index lookups into the credits and as many
-- into the events; the old recompute hid this by switching nested loops off
-- for its whole body, which also made a one-day recompute read the tenant's
-- whole history. Now the check is planned at each firing (EXECUTE), and one
-- of more than 10,000 changed rows reads the tenant's credits and events
-- once and hashes them. Interleaved on this machine, 250,000 credits
-- inserted in one statement: the check took 1.31, 1.42, 1.43 s before and
-- 0.94, 1.24, 1.29 s now; a few rows are still checked by key. The rule is
-- the same: every purchase with a changed row (inserted, updated or
-- deleted) sums exactly to its revenue under all five models, over all its
-- rows after the statement, and nothing else is read.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.check_credit_sums() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  drift record;
  drifting bigint;
  nestloop text;
BEGIN
  -- Many rows (a window recomputed from scratch): the tenant's credits and
  -- events are read once and hashed, not looked up row by row (the planner,
  -- which cannot know the tenant behind the policy, picks lookups).
  IF (SELECT count(*) FROM changed) > 10000 THEN
    nestloop := current_setting('enable_nestloop');
    PERFORM set_config('enable_nestloop', 'off', true);
  END IF;
  EXECUTE $check$
    SELECT a.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch,
           sum(a.first_touch_cents) AS first_touch, sum(a.linear_cents) AS linear,
           sum(a.time_decay_cents) AS time_decay, sum(a.position_based_cents) AS position_based
      FROM skeldir.attribution_credits AS a
      JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
     WHERE (a.tenant_id, a.event_id) IN (SELECT c.tenant_id, c.event_id FROM changed AS c)
     GROUP BY a.tenant_id, a.event_id, e.revenue_cents
    HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
                AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
                AND sum(a.position_based_cents) = e.revenue_cents)
     LIMIT 1
  $check$ INTO drift;
  GET DIAGNOSTICS drifting = ROW_COUNT;
  IF nestloop IS NOT NULL THEN
    PERFORM set_config('enable_nestloop', nestloop, true);
  END IF;
  IF drifting > 0 THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), % (position based), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.position_based,
      drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": skeldir.check_credit_sums keeps this
-- body; 20261202004200 defines the one before.)
