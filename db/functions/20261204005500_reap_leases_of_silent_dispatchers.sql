-- migrate:up
-- The lease reaper no longer waits out a dead dispatcher's leases (the kind's
-- hard limit, 360 seconds by default). A running job is an orphan when its
-- lease ran out, as before, or when its dispatcher has no fresh row in
-- skeldir.dispatchers (20261204005100): it stopped beating (killed, cut off)
-- or never had one. Either way the job is handed back only if its row is not
-- locked: worker.execute holds it for as long as the body runs, and a backend
-- whose client died lets go within a second (the daemon's connections set
-- client_connection_check_interval), so a job still running somewhere is
-- never handed to a second dispatcher. A live dispatcher whose beats are late
-- loses at most the jobs it has claimed and not yet started, or failed and
-- not yet settled: each counts one attempt, as an expired lease does.
--
-- Rows of dispatchers that expired over an hour ago and that no running job
-- names are pruned: an operator can still see one that went away recently,
-- and a dispatcher that was only cut off registers again with its next beat
-- or claim. The rest is as in 20261126005400.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.reap_expired_leases() RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  reaped integer := 0;
  orphan record;
BEGIN
  FOR orphan IN SELECT x.id, x.leased_until < now() AS lease_ran_out
                  FROM skeldir.jobs AS x
                 WHERE x.state = 'running'
                   AND (x.leased_until < now()
                        OR NOT EXISTS (SELECT FROM skeldir.dispatchers AS d
                                        WHERE d.id = x.leased_by AND d.expires_at > now()))
                   FOR UPDATE OF x SKIP LOCKED LOOP
    IF orphan.lease_ran_out THEN
      PERFORM skeldir.settle_failure(orphan.id, 'lease_expired', 'the lease expired: its dispatcher stopped');
    ELSE
      PERFORM skeldir.settle_failure(orphan.id, 'dispatcher_gone',
                                     'its dispatcher stopped beating before the lease expired');
    END IF;
    reaped := reaped + 1;
  END LOOP;
  DELETE FROM skeldir.dispatchers AS d
   WHERE d.expires_at < now() - interval '1 hour'
     AND NOT EXISTS (SELECT FROM skeldir.jobs AS x WHERE x.state = 'running' AND x.leased_by = d.id);
  RETURN reaped;
END
$$;

-- migrate:down
-- The body of 20261126005400 again.
SET LOCAL ROLE skeldir_owner;
CREATE OR REPLACE FUNCTION skeldir.reap_expired_leases() RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  reaped integer := 0;
  expired bigint;
BEGIN
  FOR expired IN SELECT x.id FROM skeldir.jobs AS x
                  WHERE x.state = 'running' AND x.leased_until < now()
                    FOR UPDATE SKIP LOCKED LOOP
    PERFORM skeldir.settle_failure(expired, 'lease_expired', 'the lease expired: its dispatcher stopped');
    reaped := reaped + 1;
  END LOOP;
  RETURN reaped;
END
$$;
