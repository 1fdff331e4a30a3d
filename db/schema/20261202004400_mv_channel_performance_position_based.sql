-- migrate:up
-- Channel performance under the fifth model too: the view is rebuilt with
-- position_based_cents (a materialized view cannot gain a column), and its
-- reader, api.channel_performance, with it (a SQL-standard body depends on
-- the view it reads). Otherwise as in 20261126006550 and 20261126006700.
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION api.channel_performance(uuid, date, date);

SET LOCAL ROLE skeldir_analytics;
DROP MATERIALIZED VIEW analytics.mv_channel_performance;
CREATE MATERIALIZED VIEW analytics.mv_channel_performance AS
SELECT c.tenant_id, (c.occurred_at AT TIME ZONE 'UTC')::date AS day, c.channel, c.currency,
       count(*) AS touched_purchases,
       count(*) FILTER (WHERE c.last_touch_cents > 0) AS conversions,
       sum(c.last_touch_cents)::bigint AS last_touch_cents,
       sum(c.first_touch_cents)::bigint AS first_touch_cents,
       sum(c.linear_cents)::bigint AS linear_cents,
       sum(c.time_decay_cents)::bigint AS time_decay_cents,
       sum(c.position_based_cents)::bigint AS position_based_cents
  FROM skeldir.attribution_credits AS c
 GROUP BY c.tenant_id, (c.occurred_at AT TIME ZONE 'UTC')::date, c.channel, c.currency;
CREATE UNIQUE INDEX mv_channel_performance_key ON analytics.mv_channel_performance (tenant_id, day, channel, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
-- Attributed revenue per channel over [from_day, to_day], under each model.
CREATE FUNCTION api.channel_performance(tenant uuid, from_day date, to_day date)
RETURNS TABLE (channel text, display_name text, report_name text, family text, is_paid boolean, currency text,
               touched_purchases bigint, conversions bigint, last_touch_cents bigint, first_touch_cents bigint,
               linear_cents bigint, time_decay_cents bigint, position_based_cents bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency, sum(c.touched_purchases)::bigint,
         sum(c.conversions)::bigint, sum(c.last_touch_cents)::bigint, sum(c.first_touch_cents)::bigint,
         sum(c.linear_cents)::bigint, sum(c.time_decay_cents)::bigint, sum(c.position_based_cents)::bigint
    FROM analytics.mv_channel_performance AS c
    JOIN skeldir.channel_taxonomy AS t ON t.code = c.channel
   WHERE skeldir.valid_day_range(from_day, to_day)
     AND c.tenant_id = tenant AND c.day BETWEEN from_day AND to_day
   GROUP BY c.channel, t.display_name, t.report_name, t.family, t.is_paid, c.currency
   ORDER BY c.currency, sum(c.linear_cents) DESC, c.channel;
END;

-- migrate:down
-- (20261126006550 and 20261126006700 define the view and its reader before.)
SELECT 1;
