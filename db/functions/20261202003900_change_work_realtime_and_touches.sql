-- migrate:up
-- What a batch of committed ingestion inserts asks of the queue
-- (skeldir.request_change_work, SPEC §7), in the order the ingest path asks
-- (20261202003800): the realtime revenue of each tenant whose ledger grew,
-- in tenant order, due at once (it replaces the refresh of the shared
-- realtime view at the next boundary of the feed's refresh interval, which
-- is why refresh_interval is dropped); then the recomputes of the days new
-- purchases and new touches change (skeldir.attribution_days: a touch dated
-- before purchases delivered ahead of it changes their days). Touches need
-- their session, so the publication now carries session_id.
--
-- changes: a jsonb array of {table, tenant_id, event_type, order_id,
-- session_id, revenue_cents, occurred_at} (attribution_events) or {table,
-- tenant_id, ...} (revenue_ledger); a revenue_ledger change without a
-- tenant_id stands for every tenant (the switch back to fallback, which
-- cannot know which ledgers the feed missed). Other keys are ignored.
SET LOCAL ROLE skeldir_owner;

ALTER PUBLICATION skeldir_ingest
  SET TABLE skeldir.attribution_events (tenant_id, id, event_type, order_id, session_id, revenue_cents, occurred_at),
            skeldir.revenue_ledger (tenant_id, id, state, amount_cents, occurred_at);

CREATE OR REPLACE FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  t uuid;
  n integer;
BEGIN
  CREATE TEMP TABLE change_work ON COMMIT DROP AS
  SELECT c.*
    FROM jsonb_to_recordset(changes) AS c("table" text, tenant_id uuid, event_type text, order_id text,
                                          session_id text, revenue_cents bigint, occurred_at timestamptz);
  IF EXISTS (SELECT FROM change_work AS c
              WHERE c."table" = 'attribution_events' AND (c.tenant_id IS NULL OR c.occurred_at IS NULL)) THEN
    RAISE EXCEPTION 'an event change lacks tenant_id or occurred_at' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  refreshes := 0;
  FOR t IN SELECT DISTINCT x.id
             FROM change_work AS c
            CROSS JOIN LATERAL unnest(CASE WHEN c.tenant_id IS NULL THEN skeldir.tenant_ids()
                                           ELSE ARRAY[c.tenant_id] END) AS x(id)
            WHERE c."table" = 'revenue_ledger'
            ORDER BY 1 LOOP
    PERFORM skeldir.request_realtime_revenue(t);
    refreshes := refreshes + 1;
  END LOOP;

  recomputes := 0;
  -- In (tenant, day) order: each dedupe key is a lock held until commit.
  FOR t IN SELECT DISTINCT c.tenant_id FROM change_work AS c WHERE c."table" = 'attribution_events' ORDER BY 1 LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    SELECT count(skeldir.request_attribution_recompute(t, day)) INTO n
      FROM unnest(skeldir.attribution_days(
             ARRAY(SELECT c.order_id FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type = 'purchase'
                      AND c.revenue_cents > 0 AND c.order_id IS NOT NULL),
             ARRAY(SELECT (c.occurred_at AT TIME ZONE 'UTC')::date FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type = 'purchase'
                      AND c.revenue_cents > 0),
             ARRAY(SELECT c.session_id FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type <> 'refund'
                      AND c.session_id IS NOT NULL ORDER BY c.session_id, c.occurred_at),
             ARRAY(SELECT c.occurred_at FROM change_work AS c
                    WHERE c.tenant_id = t AND c."table" = 'attribution_events' AND c.event_type <> 'refund'
                      AND c.session_id IS NOT NULL ORDER BY c.session_id, c.occurred_at))) AS day;
    recomputes := recomputes + n;
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
  DROP TABLE change_work;
END
$$;

COMMENT ON FUNCTION skeldir.request_change_work(jsonb) IS
  'Coalesced downstream work for a batch of ingestion inserts: realtime revenue per tenant, then recomputes per tenant and day.';

-- The switch back to fallback asks again for the work of the touches the
-- feed may have missed, not only the purchases.
CREATE OR REPLACE FUNCTION worker.change_feed_fallback() RETURNS jsonb
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
$$;

DROP FUNCTION skeldir.attribution_days(text[], date[]);
ALTER TABLE skeldir.change_feed DROP COLUMN refresh_interval;

-- migrate:down
-- (These bodies stay; 20261126010100 and 20261126010120 define the ones before.)
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.change_feed ADD COLUMN refresh_interval interval NOT NULL DEFAULT '5 seconds';
