-- migrate:up
-- No lost refresh: a refresh job that finds its view's refresh already under
-- way skips, but the changes that asked for it may have come after that
-- refresh read its tables (they folded into this job while it waited). So
-- the job asks for one more refresh, a second later: it runs after the one
-- under way (skipping and asking again, at most one pending per view, for
-- as long as that lasts). Direct calls of skeldir.refresh_matview still only
-- skip.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION worker.matview_refresh(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF skeldir.refresh_matview(args ->> 'view') = 'skipped' THEN
    PERFORM skeldir.enqueue('matview.refresh', jsonb_build_object('view', args ->> 'view'), NULL,
                            now() + interval '1 second', 'matview.refresh:' || (args ->> 'view'));
  END IF;
END
$$;

-- migrate:down
-- (worker.matview_refresh keeps this body; 20261126006600 defines the one before.)
SELECT 1;
