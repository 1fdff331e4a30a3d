-- migrate:up
-- The switch back to fallback no longer locks the events table: that takes
-- UPDATE, DELETE or TRUNCATE on it, which its owner's role (skeldir_books,
-- 20261204000700) keeps from everyone. It locks the change feed's own state
-- table instead, which every ingest transaction reads to learn the mode
-- (skeldir.record_event reads it after inserting its event; the comment there
-- still names the events table): ACCESS EXCLUSIVE waits for every
-- transaction that read 'feed' to commit, and makes every later one read
-- 'fallback', as the SHARE lock on the events did. Callers take turns first
-- (skeldir.take_turns), so two daemons checking at once cannot deadlock
-- upgrading their reads. The rest is as in 20261202003900.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION worker.change_feed_fallback()
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
  f skeldir.change_feed;
  since timestamptz;
  pending jsonb := '[]';
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
  work record;
BEGIN
  -- One caller at a time past this point: a second one would hold its read
  -- of the state table while waiting to lock it, and the two would deadlock.
  PERFORM skeldir.take_turns('change_feed_fallback');
  SELECT * INTO f FROM skeldir.change_feed;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  -- Every ingest transaction that read the mode 'feed' holds its read of
  -- this table until it commits, and every later one waits here and then
  -- reads 'fallback'.
  LOCK TABLE skeldir.change_feed IN ACCESS EXCLUSIVE MODE;
  SELECT * INTO f FROM skeldir.change_feed;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  since := coalesce(f.last_commit_at, f.mode_changed_at) - interval '10 minutes';
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    pending := pending || coalesce((
      SELECT jsonb_agg(jsonb_build_object('table', 'attribution_events', 'tenant_id', e.tenant_id,
                                          'event_type', e.event_type, 'order_id', e.order_id,
                                          'session_id', e.session_id, 'revenue_cents', e.revenue_cents,
                                          'occurred_at', e.occurred_at))
        FROM skeldir.attribution_events AS e
       WHERE e.tenant_id = t AND e.received_at >= since
         AND ((e.event_type = 'purchase' AND e.revenue_cents > 0)
              OR (e.event_type <> 'refund' AND e.session_id IS NOT NULL))),
      '[]');
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  work := skeldir.request_change_work(pending || '[{"table": "revenue_ledger"}]');
  UPDATE skeldir.change_feed AS x SET mode = 'fallback', mode_changed_at = now(), leader = NULL;
  RETURN jsonb_build_object('mode', 'fallback', 'switched', true, 'since', since,
                            'recomputes', work.recomputes, 'refreshes', work.refreshes, 'slot', f.slot_name);
END
$function$;

-- migrate:down
-- (worker.change_feed_fallback keeps this body; 20261202003900 defines the
-- one before, which needs the events table's owner.)
SELECT 1;
