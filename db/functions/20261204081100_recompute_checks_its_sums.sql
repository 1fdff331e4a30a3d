-- migrate:up
-- A recompute checks the exact sums of what it wrote once its write is
-- done, and the credits' trigger checks every other writer's statements
-- (issue 16). The trigger fires after each statement that writes credits;
-- a recompute writes them in one statement whose revisions, withdrawals and
-- additions PostgreSQL applies before any trigger fires. Citus runs that
-- statement's parts as statements of their own on the shard, and the
-- trigger fired between them: after a late touch, a purchase whose first
-- touch moved to a new channel was checked with its old first-touch row
-- revised to 0 and the new row not yet added ('credits of event ... sum to
-- 8919 (last touch), 0 (first touch) ...', make test-citus,
-- attribution.sql), and the recompute failed.
--
-- So the trigger leaves the statements of a recompute
-- (skeldir.attribution_writer names the tenant in context, set by the
-- recompute with SET LOCAL for its write, 20261204080400) to the recompute,
-- which then checks, before it returns and in the same transaction, every
-- purchase of its window it computed (skeldir.credit_sums_hold): the same
-- rule (all five models sum exactly to the purchase's revenue over all its
-- rows), over at least the purchases it changed. Any other write is still
-- checked by the trigger, statement by statement. The owner, the only role
-- that may write credits, could name itself the writer by hand: this guards
-- against accidents, not against the owner (as the marks do,
-- 20261204050200).
SET LOCAL ROLE skeldir_owner;

-- The purchases of the tenant in context whose credits drift, among those
-- dated in [window_start, window_end) (a credit carries its purchase's
-- time), or only among purchases when it is given: an error naming the
-- first, as the trigger raises it.
CREATE FUNCTION skeldir.credit_sums_hold(window_start timestamptz, window_end timestamptz, purchases uuid[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  nestloop text := current_setting('enable_nestloop');
  drift record;
BEGIN
  -- A whole window is read once and hashed (the credits' statistics may be
  -- those of the table before the write, which make lookups look cheap).
  IF purchases IS NULL THEN
    PERFORM set_config('enable_nestloop', 'off', true);
  END IF;
  SELECT a.event_id, e.revenue_cents, sum(a.last_touch_cents) AS last_touch,
         sum(a.first_touch_cents) AS first_touch, sum(a.linear_cents) AS linear,
         sum(a.time_decay_cents) AS time_decay, sum(a.position_based_cents) AS position_based
    INTO drift
    FROM skeldir.attribution_credits AS a
    JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
   WHERE a.tenant_id = tenant AND a.occurred_at >= window_start AND a.occurred_at < window_end
     AND (purchases IS NULL OR a.event_id = ANY (purchases))
   GROUP BY a.event_id, e.revenue_cents
  HAVING NOT (sum(a.last_touch_cents) = e.revenue_cents AND sum(a.first_touch_cents) = e.revenue_cents
              AND sum(a.linear_cents) = e.revenue_cents AND sum(a.time_decay_cents) = e.revenue_cents
              AND sum(a.position_based_cents) = e.revenue_cents)
   LIMIT 1;
  PERFORM set_config('enable_nestloop', nestloop, true);
  IF drift.event_id IS NOT NULL THEN
    RAISE EXCEPTION 'credits of event % sum to % (last touch), % (first touch), % (linear), % (time decay), % (position based), not its revenue %',
      drift.event_id, drift.last_touch, drift.first_touch, drift.linear, drift.time_decay, drift.position_based,
      drift.revenue_cents
      USING ERRCODE = 'check_violation';
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.credit_sums_hold(timestamptz, timestamptz, uuid[]) FROM PUBLIC;

COMMENT ON FUNCTION skeldir.credit_sums_hold(timestamptz, timestamptz, uuid[]) IS
  'Raises check_violation when a purchase of the tenant in context, dated in the window (or among purchases), has credits that do not sum exactly to its revenue under every model.';

RESET ROLE;
SELECT skeldir.rewrite_function('skeldir.check_credit_sums()', old, new, 1)
  FROM (VALUES
    (E'  nestloop text;\nBEGIN\n',
     E'  nestloop text;\nBEGIN\n'
     '  -- A recompute''s own write: it checks what it wrote when the write is done.\n'
     '  IF coalesce(current_setting(''skeldir.attribution_writer'', true), '''') <> ''''\n'
     '     AND current_setting(''skeldir.attribution_writer'', true) = skeldir.current_tenant_id()::text\n'
     '     AND NOT EXISTS (SELECT 1 FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM skeldir.current_tenant_id()) THEN\n'
     '    RETURN NULL;\n'
     '  END IF;\n')
  ) AS c(old, new);
SELECT skeldir.rewrite_function('skeldir.recompute_attribution(timestamptz, timestamptz, text, bigint)', old, new, 1)
  FROM (VALUES
    (E'  SET LOCAL skeldir.attribution_writer = '''';\n  END IF;\n',
     E'  SET LOCAL skeldir.attribution_writer = '''';\n'
     '  -- (what the trigger left to it: 20261204081100)\n'
     '  IF changes > 0 THEN\n'
     '    PERFORM skeldir.credit_sums_hold(window_start, window_end, affected);\n'
     '  END IF;\n'
     '  END IF;\n')
  ) AS c(old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
