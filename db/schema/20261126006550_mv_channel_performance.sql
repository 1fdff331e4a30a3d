-- migrate:up
-- Per tenant, UTC day, channel and currency: the purchases a channel
-- touched and the revenue credited to it under each attribution model
-- (SPEC §6.1, §6.2). Conversions count the purchases whose last touch was
-- the channel.
SET LOCAL ROLE skeldir_owner;
SET LOCAL ROLE skeldir_analytics;

CREATE MATERIALIZED VIEW analytics.mv_channel_performance AS
SELECT c.tenant_id, (c.occurred_at AT TIME ZONE 'UTC')::date AS day, c.channel, c.currency,
       count(*) AS touched_purchases,
       count(*) FILTER (WHERE c.last_touch_cents > 0) AS conversions,
       sum(c.last_touch_cents)::bigint AS last_touch_cents,
       sum(c.first_touch_cents)::bigint AS first_touch_cents,
       sum(c.linear_cents)::bigint AS linear_cents,
       sum(c.time_decay_cents)::bigint AS time_decay_cents
  FROM skeldir.attribution_credits AS c
 GROUP BY c.tenant_id, (c.occurred_at AT TIME ZONE 'UTC')::date, c.channel, c.currency;

CREATE UNIQUE INDEX mv_channel_performance_key ON analytics.mv_channel_performance (tenant_id, day, channel, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
INSERT INTO skeldir.matviews (name, cadence, description)
VALUES ('mv_channel_performance', 'daily', 'Attributed revenue and conversions per tenant, UTC day, channel and currency.');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.matviews WHERE name = 'mv_channel_performance';
DROP MATERIALIZED VIEW analytics.mv_channel_performance;
