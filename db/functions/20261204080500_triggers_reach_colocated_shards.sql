-- migrate:up
-- Triggers read and write the relations next to the one they fired on
-- (issue 16): the credits' statement triggers, and the LLM audit's
-- monthly totals. On Citus they fire on a shard, on a worker,
-- where a query of skeldir.attribution_credits or skeldir.attribution_events
-- is a distributed query that the worker refuses to run from inside a shard
-- ('cannot execute a distributed query from a query on a shard', make
-- test-citus, every recompute) and could not give the transition table to.
-- They now read the relation the trigger fired on (TG_RELID) and, for the
-- purchases' events and the tenant's recorded recomputes and marks, the
-- shard of those tables that Citus keeps with it: the same tenants' rows,
-- on the same node, in the same transaction. On PostgreSQL these are the
-- tables themselves (skeldir.colocated_relation). What each trigger checks,
-- forgets or adds up is unchanged (20261204040200, 20261204050200,
-- 20261126007210). The monthly totals' upsert stamps the time its row
-- proposes (the column's default, now()) instead of calling now() in DO
-- UPDATE SET, which Citus refuses on a distributed table.
--
-- The turn (skeldir.take_turns) that keeps a write from interleaving with a
-- recompute of the same tenant is taken on the coordinator, whose
-- skeldir.turns the workers do not have: a trigger that fires on a shard
-- takes none. The one writer of credits, skeldir.recompute_attribution,
-- holds its tenant's turn while it writes; a hand write on Citus
-- concurrent with a recompute of its tenant can leave the recompute's
-- record standing (README, Scaling out).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.colocated_relation(fired regclass, logical regclass) RETURNS regclass
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  shard regclass;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN logical;
  END IF;
  -- fired is a shard when Citus knows a shard of that number whose table's
  -- name, with the number, is fired's; the co-located shard of logical is
  -- the one that covers the same hash range.
  SELECT format('%I.%I', n.nspname, c.relname || '_' || t.shardid)::regclass INTO shard
    FROM pg_dist_shard AS f
    JOIN pg_class AS fc ON fc.oid = f.logicalrelid
    JOIN pg_dist_shard AS t ON t.logicalrelid = logical AND t.shardminvalue = f.shardminvalue
    JOIN pg_class AS c ON c.oid = t.logicalrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
   WHERE f.shardid = substring((SELECT r.relname FROM pg_class AS r WHERE r.oid = fired) FROM '_([0-9]+)$')::bigint
     AND fc.relname || '_' || f.shardid = (SELECT r.relname FROM pg_class AS r WHERE r.oid = fired);
  RETURN coalesce(shard, logical);
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.colocated_relation(regclass, regclass) FROM PUBLIC;

COMMENT ON FUNCTION skeldir.colocated_relation(regclass, regclass) IS
  'The relation holding logical''s rows next to fired''s: logical itself, or on a Citus worker, where a trigger fired on a shard, logical''s shard co-located with it.';

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
  EXECUTE format($check$
    SELECT a.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch,
           sum(a.first_touch_cents) AS first_touch, sum(a.linear_cents) AS linear,
           sum(a.time_decay_cents) AS time_decay, sum(a.position_based_cents) AS position_based
      FROM %s AS a
      JOIN %s AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
     WHERE (a.tenant_id, a.event_id) IN (SELECT c.tenant_id, c.event_id FROM changed AS c)
     GROUP BY a.tenant_id, a.event_id, e.revenue_cents
    HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
                AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
                AND sum(a.position_based_cents) = e.revenue_cents)
     LIMIT 1
  $check$, TG_RELID::regclass, skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_events')) INTO drift;
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

CREATE OR REPLACE FUNCTION skeldir.forget_attribution_recomputes() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  context uuid := skeldir.current_tenant_id();
  tenants uuid[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed) THEN
    RETURN NULL;
  END IF;
  -- Mostly one tenant's rows: the one in context (no sort of the rows).
  IF NOT EXISTS (SELECT 1 FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM context) THEN
    tenants := ARRAY[context];
  ELSE
    tenants := ARRAY(SELECT DISTINCT c.tenant_id FROM changed AS c);
  END IF;
  IF TG_RELID = 'skeldir.attribution_credits'::regclass THEN
    PERFORM skeldir.take_turns(VARIADIC ARRAY(SELECT 'recompute_attribution/' || t FROM unnest(tenants) AS t ORDER BY t));
  END IF;
  EXECUTE format('DELETE FROM %s AS r WHERE r.tenant_id = ANY ($1)',
                 skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_recomputes')) USING tenants;
  IF tenants IS DISTINCT FROM ARRAY[context]
     OR coalesce(current_setting('skeldir.attribution_writer', true), '') IS DISTINCT FROM context::text THEN
    EXECUTE format('DELETE FROM %s AS m WHERE m.tenant_id = ANY ($1)',
                   skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_marks')) USING tenants;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.forget_attribution_marks() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  -- Every tenant's: a TRUNCATE empties the table for all of them (on a
  -- Citus worker, the shard's tenants: each shard fires its own). The
  -- policy would hide other tenants' marks from a DELETE, so the table is
  -- emptied the same way.
  EXECUTE format('TRUNCATE %s', skeldir.colocated_relation(TG_RELID, 'skeldir.attribution_marks'));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION skeldir.llm_add_to_month() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format($add$
    INSERT INTO %s AS m
      (tenant_id, month, calls, blocked_calls, fallback_calls, prompt_tokens, completion_tokens, cost_micros)
    VALUES ($1, $2, 1, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant_id, month) DO UPDATE
       SET calls = m.calls + 1,
           blocked_calls = m.blocked_calls + excluded.blocked_calls,
           fallback_calls = m.fallback_calls + excluded.fallback_calls,
           prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
           completion_tokens = m.completion_tokens + excluded.completion_tokens,
           cost_micros = m.cost_micros + excluded.cost_micros,
           updated_at = excluded.updated_at
  $add$, skeldir.colocated_relation(TG_RELID, 'skeldir.llm_monthly_costs'))
  USING NEW.tenant_id, NEW.month, (NEW.decision = 'block')::int, (NEW.decision = 'fallback')::int,
        NEW.prompt_tokens, NEW.completion_tokens, NEW.cost_micros;
  RETURN NULL;
END
$$;

-- migrate:down
-- (Forward only, README "Migrations": the four triggers' functions keep
-- these bodies; 20261204040200, 20261204050200 and 20261126007210 define the
-- ones before.)
