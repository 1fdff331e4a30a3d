-- migrate:up
-- A new purchase changes its tenant's UTC day of attribution: this asks for
-- that day's recompute (job kind attribution.recompute, 20261126006300). One
-- pending job per tenant and day, due a moment later so that a burst of
-- purchases shares it. The job's dedupe key is a lock its transaction holds
-- until it commits, so a transaction asking for several days asks in
-- (tenant, day) order, after its other writes (api.ingest_webhooks).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.request_attribution_recompute(tenant uuid, day date) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RETURN skeldir.enqueue('attribution.recompute', jsonb_build_object('day', day), tenant,
                         now() + interval '2 seconds', format('attribution.recompute:%s:%s', tenant, day));
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.request_attribution_recompute(uuid, date);
