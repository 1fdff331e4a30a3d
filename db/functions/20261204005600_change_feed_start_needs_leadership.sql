-- migrate:up
-- Only the elected leader of the change feed may start it: worker.change_feed_start
-- refuses a leader that does not hold the 'change_feed' lease of
-- skeldir.leaders (20261204005000) unexpired. The lease row is share-locked
-- until the start commits, so no other daemon is elected in between. Since
-- worker.change_feed_apply and worker.change_feed_heartbeat accept only the
-- daemon that started the feed last, a daemon that lost the leadership to
-- another, and was replaced by it, can no longer apply. The rest is as in
-- 20261126010120 (now in PL/pgSQL, to raise).
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION worker.change_feed_start(leader text) RETURNS pg_lsn
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  processed pg_lsn;
BEGIN
  PERFORM FROM skeldir.leaders AS l
   WHERE l.name = 'change_feed' AND l.leader_id = change_feed_start.leader AND l.expires_at > now()
     FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% does not lead the change feed', leader USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Elect it first: worker.elect(''change_feed'', leader, ttl).';
  END IF;
  UPDATE skeldir.change_feed AS f
     SET mode = 'feed', mode_changed_at = CASE WHEN f.mode = 'feed' THEN f.mode_changed_at ELSE now() END,
         leader = change_feed_start.leader, slot_name = skeldir.change_feed_slot(), heartbeat_at = now()
  RETURNING f.processed_lsn INTO processed;
  RETURN processed;
END
$$;

-- migrate:down
-- The body of 20261126010120 again.
SET LOCAL ROLE skeldir_owner;
CREATE OR REPLACE FUNCTION worker.change_feed_start(leader text) RETURNS pg_lsn
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  UPDATE skeldir.change_feed AS f
     SET mode = 'feed', mode_changed_at = CASE WHEN f.mode = 'feed' THEN f.mode_changed_at ELSE now() END,
         leader = change_feed_start.leader, slot_name = skeldir.change_feed_slot(), heartbeat_at = now()
  RETURNING f.processed_lsn;
END;
