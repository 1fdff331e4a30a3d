-- migrate:up
-- A new purchase changes the attribution of its tenant's UTC day and of the
-- days of its order's other purchase events (an order is attributed once, as
-- its earliest event, which the new one may now be). skeldir.attribution_days
-- names those days; skeldir.request_attribution_recompute asks for one day's
-- recompute (job kind attribution.recompute, 20261126006300): one pending job
-- per tenant and day, due a moment later so that a burst of purchases shares
-- it. The job's dedupe key is a lock its transaction holds until it commits,
-- so a transaction asking for several days asks in (tenant, day) order, after
-- its other writes (api.ingest_webhooks, skeldir.request_change_work).
SET LOCAL ROLE skeldir_owner;

-- For the tenant in context: days, and the days of the purchases of orders.
CREATE FUNCTION skeldir.attribution_days(orders text[], days date[]) RETURNS date[]
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT array_agg(x.day ORDER BY x.day)
    FROM (SELECT unnest(days) AS day
          UNION
          SELECT (o.occurred_at AT TIME ZONE 'UTC')::date
            FROM skeldir.attribution_events AS o
           WHERE o.tenant_id = (SELECT skeldir.current_tenant_id()) AND o.order_id = ANY (orders)
             AND o.event_type = 'purchase' AND o.revenue_cents > 0) AS x
   WHERE x.day IS NOT NULL;
END;

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
DROP FUNCTION skeldir.attribution_days(text[], date[]);
