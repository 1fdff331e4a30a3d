-- migrate:up
-- What committed inserts into the ingestion tables ask of the queue, decided
-- once per batch of changes instead of once per event (SPEC §7): the change
-- feed calls this with the inserts it decoded from the slot, and the switch
-- back to fallback with the inserts the feed may not have seen.
--
-- A new purchase changes the attribution of its tenant's UTC day and of the
-- days of its order's other purchases (skeldir.attribution_days, as the
-- ingest path asks on the fallback path): one recompute per tenant and day, coalescing with any
-- pending one. New ledger rows change the realtime views: one refresh of
-- each realtime view reading the ledger, due at the next boundary of the
-- feed's refresh interval, so that every batch until then shares it.
--
-- changes: a jsonb array (its callers, worker.change_feed_apply and
-- worker.change_feed_fallback, check that) of {table, tenant_id, event_type,
-- order_id, revenue_cents, occurred_at} (attribution_events) or {table,
-- tenant_id, state, amount_cents, occurred_at} (revenue_ledger); other keys
-- are ignored.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.request_change_work(changes jsonb, OUT recomputes integer, OUT refreshes integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  interval_ interval := (SELECT f.refresh_interval FROM skeldir.change_feed AS f);
  due timestamptz;
  tenants uuid[];
  orders text[];
  days date[];
  t uuid;
  n integer;
BEGIN
  SELECT coalesce(array_agg(c.tenant_id), '{}'), coalesce(array_agg(c.order_id), '{}'),
         coalesce(array_agg((c.occurred_at AT TIME ZONE 'UTC')::date), '{}')
    INTO tenants, orders, days
    FROM jsonb_to_recordset(changes) AS c("table" text, tenant_id uuid, event_type text, order_id text,
                                          revenue_cents bigint, occurred_at timestamptz)
   WHERE c."table" = 'attribution_events' AND c.event_type = 'purchase' AND c.revenue_cents > 0;
  IF array_position(tenants, NULL) IS NOT NULL OR array_position(days, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'a purchase change lacks tenant_id or occurred_at' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  recomputes := 0;
  -- In (tenant, day) order: each dedupe key is a lock held until commit.
  FOR t IN SELECT DISTINCT x FROM unnest(tenants) AS x ORDER BY 1 LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    SELECT count(skeldir.request_attribution_recompute(t, day)) INTO n
      FROM unnest(skeldir.attribution_days(
             ARRAY(SELECT p.order_id FROM unnest(tenants, orders) AS p(tenant_id, order_id)
                    WHERE p.tenant_id = t AND p.order_id IS NOT NULL),
             ARRAY(SELECT p.day FROM unnest(tenants, days) AS p(tenant_id, day) WHERE p.tenant_id = t))) AS day;
    recomputes := recomputes + n;
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);

  refreshes := 0;
  IF EXISTS (SELECT FROM jsonb_array_elements(changes) AS c WHERE c ->> 'table' = 'revenue_ledger') THEN
    due := date_bin(interval_, now(), timestamptz '2000-01-01 00:00:00+00') + interval_;
    refreshes := skeldir.request_matview_refreshes_reading('skeldir.revenue_ledger', 'realtime', due);
  END IF;
END
$$;
COMMENT ON FUNCTION skeldir.request_change_work(jsonb) IS
  'Coalesced downstream work for a batch of ingestion inserts: recomputes per tenant and day, one realtime refresh per interval.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.request_change_work(jsonb);
