-- migrate:up
-- A dispatcher's heartbeat on skeldir.dispatchers (20261204005100): it is
-- alive for ttl from now. skeldird beats every second with a ttl of ten
-- seconds; the lease reaper takes a dispatcher whose row expired for dead.
-- The bounds are those of a leadership lease (worker.elect), for the same
-- reasons: shorter than a second flaps between two beats, longer than five
-- minutes brings a dead dispatcher's jobs back no sooner than that.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION worker.beat(worker_id text, ttl interval) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  alive_until timestamptz;
BEGIN
  IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '5 minutes' THEN
    RAISE EXCEPTION 'a dispatcher''s heartbeat lasts from 1 second to 5 minutes, not %', coalesce(ttl::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO skeldir.dispatchers AS d (id, expires_at)
  VALUES (worker_id, now() + ttl)
  ON CONFLICT (id) DO UPDATE SET beat_at = now(), expires_at = excluded.expires_at
  RETURNING d.expires_at INTO alive_until;
  RETURN alive_until;
END
$$;
COMMENT ON FUNCTION worker.beat(text, interval) IS
  'A dispatcher''s heartbeat: worker_id is alive for ttl from now (its leases are not orphans); returns until when.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION worker.beat(text, interval);
