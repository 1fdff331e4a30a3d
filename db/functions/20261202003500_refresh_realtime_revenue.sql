-- migrate:up
-- Realtime revenue, refreshed per tenant (issue: revenue truth, item 3: a
-- sale answered 200 shows within 2 s). Whoever books money asks
-- (skeldir.request_realtime_revenue: the ingest path, or the change feed
-- when it runs); the request is a job, one pending per tenant, due at once.
-- Requests that arrive while it is pending fold into it, and it cannot
-- start before the transactions that asked for it commit (skeldir.enqueue
-- holds it), so it never misses their rows; one that arrives while it runs
-- makes the next. So a tenant's refreshes run back to back at most, each
-- over that tenant's rows only, and a quiet tenant costs nothing.
--
-- The reads: api.realtime_revenue reads this table instead of the shared
-- materialized view, which is dropped with its registry row.
SET LOCAL ROLE skeldir_owner;

-- Recomputes the realtime revenue of the tenant in context from the revenue
-- of record. Refreshes of one tenant take turns: the later one computes
-- after the earlier committed, so it never writes older numbers over newer.
CREATE FUNCTION skeldir.refresh_realtime_revenue() RETURNS integer
LANGUAGE plpgsql VOLATILE
-- A tenant's refresh is short: compiling it costs more than it saves.
SET jit = off
AS $$
DECLARE
  tenant uuid := skeldir.current_tenant_id();
  written integer;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'refresh_realtime_revenue needs a tenant context' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('skeldir.refresh_realtime_revenue'), hashtext(tenant::text));
  CREATE TEMP TABLE realtime_fresh ON COMMIT DROP AS
  SELECT r.currency,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'captured'), 0)::bigint AS captured_cents,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'refunded'), 0)::bigint AS refunded_cents,
         coalesce(sum(r.amount_cents) FILTER (WHERE r.state = 'chargeback'), 0)::bigint AS chargeback_cents,
         coalesce(sum(CASE r.state WHEN 'captured' THEN r.amount_cents ELSE -r.amount_cents END), 0)::bigint AS net_cents,
         count(*) FILTER (WHERE r.state = 'captured') AS captures,
         max(r.recorded_at) AS last_booked_at
    FROM skeldir.revenue_of_record AS r
   WHERE r.tenant_id = tenant
   GROUP BY r.currency;
  DELETE FROM skeldir.realtime_revenue AS x
   WHERE x.tenant_id = tenant AND x.currency NOT IN (SELECT f.currency FROM realtime_fresh AS f);
  INSERT INTO skeldir.realtime_revenue AS x
    (tenant_id, currency, captured_cents, refunded_cents, chargeback_cents, net_cents, captures, last_booked_at,
     refreshed_at)
  SELECT tenant, f.currency, f.captured_cents, f.refunded_cents, f.chargeback_cents, f.net_cents, f.captures,
         f.last_booked_at, clock_timestamp()
    FROM realtime_fresh AS f
  ON CONFLICT (tenant_id, currency) DO UPDATE
     SET captured_cents = excluded.captured_cents, refunded_cents = excluded.refunded_cents,
         chargeback_cents = excluded.chargeback_cents, net_cents = excluded.net_cents, captures = excluded.captures,
         last_booked_at = excluded.last_booked_at, refreshed_at = excluded.refreshed_at;
  GET DIAGNOSTICS written = ROW_COUNT;
  DROP TABLE realtime_fresh;
  RETURN written;
END
$$;

-- Asks for a refresh of a tenant's realtime revenue: one pending per tenant.
-- The dedupe key is a lock held until commit, so a transaction asking for
-- several tenants asks in tenant order, before it asks for attribution
-- recomputes (the order every caller keeps: api.ingest_webhooks,
-- skeldir.request_change_work).
CREATE FUNCTION skeldir.request_realtime_revenue(tenant uuid) RETURNS bigint
LANGUAGE sql VOLATILE
RETURN skeldir.enqueue('revenue.realtime', '{}', tenant, NULL, 'revenue.realtime:' || tenant);

CREATE FUNCTION worker.revenue_realtime(args jsonb, job_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF skeldir.current_tenant_id() IS NULL THEN
    RAISE EXCEPTION 'revenue.realtime needs a tenant' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM skeldir.refresh_realtime_revenue();
END
$$;

-- Leased, not batched: a batch holds its jobs pending until it commits, and
-- an ingest asking for the refresh under way would wait for it.
INSERT INTO skeldir.job_kinds (kind, queue, body, soft_limit, hard_limit, max_attempts, backoff_base, batchable)
VALUES ('revenue.realtime', 'maintenance', 'worker.revenue_realtime', '60 seconds', '90 seconds', 4, '1 second', false);

-- Revenue so far per currency, with how fresh it is. The table is confined
-- by forced RLS even for its owner: the read enters the tenant, and leaves
-- the caller's context as it was.
CREATE OR REPLACE FUNCTION api.realtime_revenue(tenant uuid)
RETURNS TABLE (currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint,
               net_cents bigint, captures bigint, last_booked_at timestamptz, refreshed_at timestamptz,
               freshness_seconds integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
BEGIN
  PERFORM set_config('app.current_tenant_id', coalesce(tenant::text, ''), true);
  RETURN QUERY
    SELECT r.currency, r.captured_cents, r.refunded_cents, r.chargeback_cents, r.net_cents, r.captures,
           r.last_booked_at, r.refreshed_at, greatest(0, floor(extract(epoch FROM now() - r.refreshed_at)))::integer
      FROM skeldir.realtime_revenue AS r
     WHERE r.tenant_id = tenant
     ORDER BY r.currency;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;

-- A tenant that never booked money has nothing to be stale about: its
-- numbers are as of now.
CREATE OR REPLACE FUNCTION api.realtime_revenue_counter(tenant uuid, OUT etag text, OUT body jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH r AS (
    SELECT * FROM api.realtime_revenue(tenant)
  ),
  refreshed AS (
    SELECT coalesce((SELECT min(r.refreshed_at) FROM r), now()) AS at
  ),
  data AS (
    SELECT jsonb_build_object(
             'tenant_id', tenant,
             'currency', main.currency,
             'total_revenue', coalesce(skeldir.major_units(main.net_cents, main.currency), 0),
             'event_count', (SELECT coalesce(sum(r.captures), 0) FROM r),
             'last_updated', coalesce((SELECT max(r.last_booked_at) FROM r), (SELECT at FROM refreshed)),
             'verified', coalesce((SELECT bool_and(s.status = 'verified') FILTER (WHERE s.orders_total > 0)
                                     FROM api.reconciliation_status(tenant) AS s), false),
             'currencies', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                              'currency', r.currency,
                                              'captured', skeldir.major_units(r.captured_cents, r.currency),
                                              'refunded', skeldir.major_units(r.refunded_cents, r.currency),
                                              'chargebacks', skeldir.major_units(r.chargeback_cents, r.currency),
                                              'net', skeldir.major_units(r.net_cents, r.currency),
                                              'captures', r.captures) ORDER BY r.currency)
                                       FROM r), '[]')) AS d
      FROM (SELECT NULL) AS one
      LEFT JOIN LATERAL (SELECT r.currency, r.net_cents FROM r ORDER BY r.captured_cents DESC, r.currency LIMIT 1) AS main
        ON true
  )
  SELECT '"' || md5(data.d::text) || '"',
         data.d || jsonb_build_object(
           'refreshed_at', refreshed.at,
           'data_freshness_seconds', greatest(0, floor(extract(epoch FROM now() - refreshed.at)))::integer)
    FROM data, refreshed;
END;

-- Every tenant's numbers as of now, then the shared view goes.
DO $$
DECLARE
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
BEGIN
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    PERFORM skeldir.refresh_realtime_revenue();
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;
DELETE FROM skeldir.matviews WHERE name = 'mv_realtime_revenue';
DROP MATERIALIZED VIEW analytics.mv_realtime_revenue;

-- migrate:down
-- (The shared view is not rebuilt: 20261126006530 defines it, and the api
-- reads keep this file's bodies.)
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.jobs WHERE kind = 'revenue.realtime';
DELETE FROM skeldir.job_kinds WHERE kind = 'revenue.realtime';
DROP FUNCTION worker.revenue_realtime(jsonb, bigint);
DROP FUNCTION skeldir.request_realtime_revenue(uuid);
DROP FUNCTION skeldir.refresh_realtime_revenue();
