-- migrate:up
-- Leader election on skeldir.leaders (20261204005000), as River elects on
-- river_leader: a lease with an expiry that its holder extends by electing
-- itself again. Only skeldir_worker may run for office (the default
-- privileges of schema worker grant it, and nobody else, EXECUTE).
SET LOCAL ROLE skeldir_owner;

-- Elects leader_id to lead name for ttl, in one statement: it takes the row
-- when there is none or the row's lease ran out, and extends the lease when
-- it already leads (elected_at stays: it did not change hands). A fresh lease
-- of another leader is left alone. Returns whether leader_id leads now.
-- Candidates and the leader call this every few seconds, so ttl is bounded:
-- under a second a leader would lose its lease between two calls, and a
-- lease of more than five minutes would leave the post empty that long
-- after its holder died.
CREATE FUNCTION worker.elect(name text, leader_id text, ttl interval) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '5 minutes' THEN
    RAISE EXCEPTION 'a leadership lease lasts from 1 second to 5 minutes, not %', coalesce(ttl::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO skeldir.leaders AS l (name, leader_id, elected_at, expires_at)
  VALUES (elect.name, elect.leader_id, now(), now() + ttl)
  ON CONFLICT ON CONSTRAINT leaders_pkey DO UPDATE
     SET leader_id = excluded.leader_id,
         elected_at = CASE WHEN l.leader_id = excluded.leader_id THEN l.elected_at ELSE excluded.elected_at END,
         expires_at = excluded.expires_at
   WHERE l.leader_id = excluded.leader_id OR l.expires_at <= now();
  RETURN FOUND;
END
$$;
COMMENT ON FUNCTION worker.elect(text, text, interval) IS
  'Elects leader_id to lead name (scheduler, change_feed) for ttl, or extends its lease; false while another''s lease is fresh.';

-- A leader that stops gives up its lease, so that a candidate is elected at
-- its next try instead of when the lease runs out. Returns whether leader_id
-- held it (a lease another took over is not another's to end).
CREATE FUNCTION worker.resign(name text, leader_id text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH resigned AS (
    DELETE FROM skeldir.leaders AS l
     WHERE l.name = resign.name AND l.leader_id = resign.leader_id
    RETURNING l.name
  )
  SELECT count(*) > 0 FROM resigned;
END;
COMMENT ON FUNCTION worker.resign(text, text) IS
  'Ends leader_id''s lease on name at once; false when it did not hold it.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION worker.resign(text, text);
DROP FUNCTION worker.elect(text, text, interval);
