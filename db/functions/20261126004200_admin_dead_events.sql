-- migrate:up
-- Operators' view of the dead-letter queue (SPEC §4.6, skeldird dlq). A
-- replay reads the stored payload with today's rules: success records the
-- event exactly once and resolves the dead event; failure counts a retry and
-- backs off (1 min, doubling, at most a day) before replay-all tries again. A
-- dead event without a payload (the body was not JSON) cannot be replayed
-- and is abandoned: the sender must deliver it again.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION admin.list_dead_events(tenant_id uuid, only_status skeldir.remediation_status DEFAULT NULL,
                                       max_rows integer DEFAULT 100)
RETURNS TABLE (id uuid, vendor skeldir.vendor, topic text, error_type text, error_message text,
               status skeldir.remediation_status, retry_count integer, occurrences integer,
               first_seen_at timestamptz, last_seen_at timestamptz, next_retry_at timestamptz,
               resolved_event_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN QUERY
    SELECT x.id, x.vendor, x.topic, x.error_type, x.error_message, x.status, x.retry_count, x.occurrences,
           x.first_seen_at, x.last_seen_at, x.next_retry_at, x.resolved_event_id
      FROM skeldir.dead_events AS x
     WHERE only_status IS NULL OR x.status = only_status
     ORDER BY x.last_seen_at DESC
     LIMIT max_rows;
END
$$;

-- Replays one dead event of the tenant in the current context.
CREATE FUNCTION skeldir.replay_dead_event(dead_event_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  x skeldir.dead_events;
  r record;
  e record;
BEGIN
  SELECT * INTO x FROM skeldir.dead_events AS de WHERE de.id = dead_event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dead event % does not exist for this tenant', dead_event_id USING ERRCODE = 'no_data_found';
  END IF;
  IF x.status NOT IN ('pending', 'in_progress') THEN
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'skipped', 'status', x.status);
  END IF;
  IF x.payload IS NULL THEN
    UPDATE skeldir.dead_events AS de SET status = 'abandoned' WHERE de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'abandoned',
                              'error', 'the body was not JSON and was not kept; the sender must deliver it again');
  END IF;

  r := skeldir.read_webhook(x.vendor, x.topic, x.idempotency_header, convert_to(x.payload::text, 'UTF8'));
  IF r.error_type IS NOT NULL THEN
    UPDATE skeldir.dead_events AS de
       SET retry_count = de.retry_count + 1, error_type = r.error_type, error_message = r.error_message,
           next_retry_at = now() + least(interval '1 day', interval '1 minute' * 2 ^ de.retry_count)
     WHERE de.id = x.id;
    RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'failed', 'error_type', r.error_type,
                              'error', r.error_message, 'retry_count', x.retry_count + 1);
  END IF;

  e := skeldir.record_event(r.topic, r.d, r.payload, x.pii_paths || r.pii_paths, x.idempotency_header);
  PERFORM skeldir.request_attribution_recompute(x.tenant_id, day) FROM unnest(e.recompute_days) AS day ORDER BY day;
  UPDATE skeldir.dead_events AS de SET status = 'resolved', resolved_event_id = e.event_id WHERE de.id = x.id;
  RETURN jsonb_build_object('dead_event_id', x.id, 'outcome', 'resolved', 'event_id', e.event_id,
                            'duplicate', e.duplicate);
END
$$;

CREATE FUNCTION admin.replay_dead_event(tenant_id uuid, dead_event_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  RETURN skeldir.replay_dead_event(dead_event_id);
END
$$;
COMMENT ON FUNCTION admin.replay_dead_event(uuid, uuid) IS
  'Replays one dead event now, whatever its backoff.';

CREATE FUNCTION admin.replay_dead_events(tenant_id uuid) RETURNS SETOF jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  due uuid;
BEGIN
  PERFORM skeldir.enter_tenant(tenant_id);
  FOR due IN SELECT x.id FROM skeldir.dead_events AS x
              WHERE x.status IN ('pending', 'in_progress') AND x.next_retry_at <= now()
              ORDER BY x.first_seen_at LOOP
    RETURN NEXT skeldir.replay_dead_event(due);
  END LOOP;
END
$$;
COMMENT ON FUNCTION admin.replay_dead_events(uuid) IS
  'Replays every open dead event of the tenant whose backoff has passed; one result per dead event.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION admin.replay_dead_events(uuid);
DROP FUNCTION admin.replay_dead_event(uuid, uuid);
DROP FUNCTION skeldir.replay_dead_event(uuid);
DROP FUNCTION admin.list_dead_events(uuid, skeldir.remediation_status, integer);
