-- migrate:up
-- A new purchase changes its tenant's UTC day of attribution: this asks for
-- that day's recompute (job kind attribution.recompute, 20261126006300). One
-- pending job per tenant and day, due a moment later so that a burst of
-- purchases shares it. The job's dedupe key is a lock its transaction holds
-- until it commits, so a transaction asking for several days asks in
-- (tenant, day) order, after its other writes (api.ingest_webhooks).
--
-- While the change feed runs (skeldir.change_feed, SPEC §7), the ingest
-- transaction asks for nothing: the feed turns the committed event into its
-- recompute, and the hot path takes no per-day lock. The mode is read after
-- the event's insert, so a switch back to fallback (which locks the events
-- table, see worker.change_feed_fallback) either sees this event committed
-- or makes this transaction read 'fallback'.
SET LOCAL ROLE skeldir_owner;

-- The unconditional enqueue, for the ingest path and the feed alike.
CREATE FUNCTION skeldir.enqueue_attribution_recompute(tenant uuid, day date) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RETURN skeldir.enqueue('attribution.recompute', jsonb_build_object('day', day), tenant,
                         now() + interval '2 seconds', format('attribution.recompute:%s:%s', tenant, day));
END
$$;

CREATE FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) RETURNS bigint
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
DROP FUNCTION skeldir.request_attribution_recompute(uuid, date);
DROP FUNCTION skeldir.enqueue_attribution_recompute(uuid, date);
