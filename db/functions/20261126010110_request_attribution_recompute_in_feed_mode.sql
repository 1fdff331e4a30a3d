-- migrate:up
-- While the change feed runs, the ingest transaction asks for nothing: the
-- feed turns the committed event into its recompute (SPEC §7), and the hot
-- path no longer takes the per-day dedupe lock that concurrent deliveries of
-- one tenant queued on. The mode is read after the event's insert, so a
-- switch back to fallback (which locks the events table, see
-- worker.change_feed_fallback) either sees this event committed or makes
-- this transaction read 'fallback'.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF (SELECT f.mode FROM skeldir.change_feed AS f) = 'feed' THEN
    RETURN NULL;
  END IF;
  RETURN skeldir.enqueue_attribution_recompute(tenant, day);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
CREATE OR REPLACE FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RETURN skeldir.enqueue('attribution.recompute', jsonb_build_object('day', day), tenant,
                         now() + interval '2 seconds', format('attribution.recompute:%s:%s', tenant, day));
END
$$;
