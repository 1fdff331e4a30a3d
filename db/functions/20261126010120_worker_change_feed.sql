-- migrate:up
-- The change feed's entry points for the daemon (SPEC §7), read in the order
-- it calls them: which mode may run, taking over as the feed, applying a
-- batch of decoded inserts exactly once, the heartbeat, and the switch back
-- to transactional enqueue when no daemon can run the feed.
SET LOCAL ROLE skeldir_owner;

-- Slots are cluster-wide, databases are not: one slot name per database.
CREATE FUNCTION skeldir.change_feed_slot() RETURNS text
LANGUAGE sql STABLE
RETURN 'skeldir_feed_' || left(md5(current_database()), 16);

-- The feed runs only when the server decodes WAL logically and the login
-- role (not a group it belongs to: the attribute is not inherited) may open
-- a replication connection. Otherwise the ingest path enqueues its own work.
CREATE FUNCTION worker.change_feed_mode() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'feed', w.level = 'logical' AND r.may,
           'reason', CASE WHEN w.level <> 'logical' THEN format('wal_level is %s, not logical', w.level)
                          WHEN NOT r.may THEN format('role %s lacks the REPLICATION attribute', session_user)
                          ELSE 'wal_level is logical and the role may replicate' END,
           'wal_level', w.level, 'slot', skeldir.change_feed_slot(), 'publication', 'skeldir_ingest',
           'mode', f.mode)
    FROM (SELECT current_setting('wal_level') AS level) AS w,
         (SELECT coalesce(bool_or(a.rolreplication OR a.rolsuper), false) AS may
            FROM pg_catalog.pg_roles AS a WHERE a.rolname = session_user) AS r,
         skeldir.change_feed AS f;
END;
COMMENT ON FUNCTION worker.change_feed_mode() IS
  'Whether this connection''s login role may run the change feed here: {feed, reason, wal_level, slot, publication, mode}.';

-- Called by the consumer holding leadership once the slot exists, before it
-- streams: from now on the ingest path leaves the work to the feed. Every
-- transaction that reads this mode commits after the slot's consistent
-- point, so the slot holds it. Returns the LSN below which nothing is applied.
CREATE FUNCTION worker.change_feed_start(leader text) RETURNS pg_lsn
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  UPDATE skeldir.change_feed AS f
     SET mode = 'feed', mode_changed_at = CASE WHEN f.mode = 'feed' THEN f.mode_changed_at ELSE now() END,
         leader = change_feed_start.leader, slot_name = skeldir.change_feed_slot(), heartbeat_at = now()
  RETURNING f.processed_lsn;
END;

-- One batch of decoded inserts, each with the commit LSN (lsn) and time
-- (commit_at) of its transaction. Transactions at or below processed_lsn
-- were applied before a restart and are skipped; the rest become their
-- coalesced work (skeldir.request_change_work) and processed_lsn moves to
-- the batch's last commit, in this one transaction. Only the daemon that
-- started the feed may apply: a daemon that lost the feed must start again.
CREATE FUNCTION worker.change_feed_apply(leader text, changes jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f skeldir.change_feed;
  fresh jsonb;
  applied integer;
  txns integer;
  newest pg_lsn;
  newest_at timestamptz;
  work record;
BEGIN
  IF jsonb_typeof(changes) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'changes must be a JSON array of decoded inserts' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT FROM jsonb_array_elements(changes) AS c
              WHERE jsonb_typeof(c -> 'lsn') IS DISTINCT FROM 'string' OR NOT c ? 'commit_at') THEN
    RAISE EXCEPTION 'every change needs its transaction''s lsn and commit_at' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO f FROM skeldir.change_feed FOR UPDATE;
  IF f.mode <> 'feed' OR f.leader IS DISTINCT FROM change_feed_apply.leader THEN
    RAISE EXCEPTION 'the change feed is not started by %', leader USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Call worker.change_feed_start(leader) first.';
  END IF;

  SELECT coalesce(jsonb_agg(c), '[]'), count(*), count(DISTINCT c ->> 'lsn'),
         max((c ->> 'lsn')::pg_lsn), max((c ->> 'commit_at')::timestamptz)
    INTO fresh, applied, txns, newest, newest_at
    FROM jsonb_array_elements(changes) AS c
   WHERE (c ->> 'lsn')::pg_lsn > f.processed_lsn;
  work := skeldir.request_change_work(fresh);

  UPDATE skeldir.change_feed AS x
     SET processed_lsn = coalesce(newest, x.processed_lsn), last_commit_at = coalesce(newest_at, x.last_commit_at),
         heartbeat_at = now(), batches = x.batches + 1, transactions = x.transactions + txns,
         changes = x.changes + applied, skipped_changes = x.skipped_changes + jsonb_array_length(change_feed_apply.changes) - applied;
  RETURN jsonb_build_object('applied', applied, 'skipped', jsonb_array_length(change_feed_apply.changes) - applied,
                            'recomputes', work.recomputes, 'refreshes', work.refreshes,
                            'processed_lsn', coalesce(newest, f.processed_lsn)::text);
END
$$;
COMMENT ON FUNCTION worker.change_feed_apply(text, jsonb) IS
  'Applies a batch of decoded ingestion inserts exactly once: coalesced jobs and the processed LSN in one transaction.';

-- The consumer's heartbeat, with the lag it measured; returns the slot's
-- lag in bytes as the server sees it (WAL it must keep for the slot).
CREATE FUNCTION worker.change_feed_heartbeat(leader text, lag_seconds double precision) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  bytes bigint;
  f skeldir.change_feed;
BEGIN
  SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint INTO bytes
    FROM pg_catalog.pg_replication_slots AS s WHERE s.slot_name = skeldir.change_feed_slot();
  UPDATE skeldir.change_feed AS x
     SET heartbeat_at = now(), lag_bytes = coalesce(bytes, 0), lag_seconds = greatest(change_feed_heartbeat.lag_seconds, 0)
   WHERE x.mode = 'feed' AND x.leader = change_feed_heartbeat.leader
  RETURNING * INTO f;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the change feed is not started by %', leader USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN jsonb_build_object('lag_bytes', f.lag_bytes, 'processed_lsn', f.processed_lsn::text,
                            'batches', f.batches, 'changes', f.changes);
END
$$;

-- A daemon that cannot run the feed calls this at start and then now and
-- then. While a consumer's heartbeat is fresh nothing changes. When the mode
-- says feed but no consumer has beaten for stale_after, the ingest path takes
-- the work back: the events table is locked so that every ingest transaction
-- that read 'feed' has committed and every later one reads 'fallback'; then
-- the work of every purchase the feed may not have applied (received since
-- its last applied commit, with a margin for transactions that began before
-- it) is asked for again. Recomputes are idempotent: asking twice is safe,
-- missing one is not. The slot keeps its WAL until an operator drops it.
CREATE FUNCTION worker.change_feed_fallback() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f skeldir.change_feed;
  since timestamptz;
  pending jsonb := '[]';
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
  work record;
BEGIN
  SELECT * INTO f FROM skeldir.change_feed;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  LOCK TABLE skeldir.attribution_events IN SHARE MODE;
  SELECT * INTO f FROM skeldir.change_feed FOR UPDATE;
  IF f.mode = 'fallback' OR f.heartbeat_at > now() - f.stale_after THEN
    RETURN jsonb_build_object('mode', f.mode, 'switched', false);
  END IF;
  since := coalesce(f.last_commit_at, f.mode_changed_at) - interval '10 minutes';
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    pending := pending || coalesce((
      SELECT jsonb_agg(jsonb_build_object('table', 'attribution_events', 'tenant_id', e.tenant_id,
                                          'event_type', e.event_type, 'order_id', e.order_id,
                                          'revenue_cents', e.revenue_cents, 'occurred_at', e.occurred_at))
        FROM skeldir.attribution_events AS e
       WHERE e.tenant_id = t AND e.received_at >= since AND e.event_type = 'purchase' AND e.revenue_cents > 0),
      '[]');
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  work := skeldir.request_change_work(pending || '[{"table": "revenue_ledger"}]');
  UPDATE skeldir.change_feed AS x SET mode = 'fallback', mode_changed_at = now(), leader = NULL;
  RETURN jsonb_build_object('mode', 'fallback', 'switched', true, 'since', since,
                            'recomputes', work.recomputes, 'refreshes', work.refreshes, 'slot', f.slot_name);
END
$$;
COMMENT ON FUNCTION worker.change_feed_fallback() IS
  'Takes the downstream work back to the ingest path when the feed''s consumer is gone; a no-op while it beats.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION worker.change_feed_fallback();
DROP FUNCTION worker.change_feed_heartbeat(text, double precision);
DROP FUNCTION worker.change_feed_apply(text, jsonb);
DROP FUNCTION worker.change_feed_start(text);
DROP FUNCTION worker.change_feed_mode();
DROP FUNCTION skeldir.change_feed_slot();
