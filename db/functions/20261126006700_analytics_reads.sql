-- migrate:up
-- The dashboards' reads of the materialized views (SPEC §6.1). The views
-- hold every tenant, so each read takes the tenant whose rows it returns:
-- the daemon passes the tenant of the caller's verified access token.
SET LOCAL ROLE skeldir_owner;

-- True for a range of days a read may cover; otherwise it refuses, naming
-- the parameter at fault as the error's column.
CREATE FUNCTION skeldir.valid_day_range(from_day date, to_day date) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
  IF from_day IS NULL OR to_day IS NULL THEN
    RAISE EXCEPTION 'a date range needs both ends' USING ERRCODE = 'invalid_parameter_value',
      COLUMN = CASE WHEN from_day IS NULL THEN 'start_date' ELSE 'end_date' END;
  END IF;
  IF from_day > to_day THEN
    RAISE EXCEPTION 'the range starts (%) after it ends (%)', from_day, to_day
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'start_date';
  END IF;
  IF to_day - from_day > 366 THEN
    RAISE EXCEPTION 'a range spans at most 366 days, not %', to_day - from_day
      USING ERRCODE = 'invalid_parameter_value', COLUMN = 'end_date';
  END IF;
  RETURN true;
END
$$;

-- Revenue so far per currency, with how fresh it is.
CREATE FUNCTION api.realtime_revenue(tenant uuid)
RETURNS TABLE (currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint,
               net_cents bigint, captures bigint, last_booked_at timestamptz, refreshed_at timestamptz,
               freshness_seconds integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT r.currency, r.captured_cents, r.refunded_cents, r.chargeback_cents, r.net_cents, r.captures,
         r.last_booked_at, r.refreshed_at, floor(extract(epoch FROM now() - r.refreshed_at))::integer
    FROM analytics.mv_realtime_revenue AS r
   WHERE r.tenant_id = tenant
   ORDER BY r.currency;
END;

-- Booked revenue per UTC day and currency over [from_day, to_day].
CREATE FUNCTION api.daily_revenue(tenant uuid, from_day date, to_day date)
RETURNS TABLE (day date, currency text, captured_cents bigint, refunded_cents bigint, chargeback_cents bigint,
               net_cents bigint, captures bigint, refunds bigint, chargebacks bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT d.day, d.currency, d.captured_cents, d.refunded_cents, d.chargeback_cents, d.net_cents, d.captures,
         d.refunds, d.chargebacks
    FROM analytics.mv_daily_revenue_summary AS d
   WHERE skeldir.valid_day_range(from_day, to_day)
     AND d.tenant_id = tenant AND d.day BETWEEN from_day AND to_day
   ORDER BY d.day, d.currency;
END;

-- Attributed revenue per channel over [from_day, to_day], under each model.
CREATE FUNCTION api.channel_performance(tenant uuid, from_day date, to_day date)
RETURNS TABLE (channel text, display_name text, report_name text, family text, is_paid boolean, currency text,
               touched_purchases bigint, conversions bigint, last_touch_cents bigint, first_touch_cents bigint,
               linear_cents bigint, time_decay_cents bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency, sum(c.touched_purchases)::bigint,
         sum(c.conversions)::bigint, sum(c.last_touch_cents)::bigint, sum(c.first_touch_cents)::bigint,
         sum(c.linear_cents)::bigint, sum(c.time_decay_cents)::bigint
    FROM analytics.mv_channel_performance AS c
    JOIN skeldir.channel_taxonomy AS t ON t.code = c.channel
   WHERE skeldir.valid_day_range(from_day, to_day)
     AND c.tenant_id = tenant AND c.day BETWEEN from_day AND to_day
   GROUP BY c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency
   ORDER BY c.currency, sum(c.linear_cents) DESC, c.channel;
END;

-- Allocated revenue per model, channel and currency, all time.
CREATE FUNCTION api.allocation_summary(tenant uuid)
RETURNS TABLE (model text, channel text, currency text, allocated_cents bigint, purchases bigint,
               average_ratio numeric, model_version text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT a.model::text, a.channel, a.currency, a.allocated_cents, a.purchases, a.average_ratio, a.model_version
    FROM analytics.mv_allocation_summary AS a
   WHERE a.tenant_id = tenant
   ORDER BY a.model, a.currency, a.allocated_cents DESC, a.channel;
END;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.allocation_summary(uuid);
DROP FUNCTION api.channel_performance(uuid, date, date);
DROP FUNCTION api.daily_revenue(uuid, date, date);
DROP FUNCTION api.realtime_revenue(uuid);
DROP FUNCTION skeldir.valid_day_range(date, date);
