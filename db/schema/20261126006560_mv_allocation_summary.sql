-- migrate:up
-- Per tenant, attribution model, channel and currency: the revenue
-- allocated and the purchases it came from, all time (SPEC §6.1).
SET LOCAL ROLE skeldir_owner;
SET LOCAL ROLE skeldir_analytics;

CREATE MATERIALIZED VIEW analytics.mv_allocation_summary AS
SELECT a.tenant_id, a.model, a.channel, a.currency,
       sum(a.allocated_cents)::bigint AS allocated_cents,
       count(*) AS purchases,
       round(avg(a.ratio), 4) AS average_ratio,
       max(a.model_version) AS model_version
  FROM skeldir.attribution_allocations AS a
 GROUP BY a.tenant_id, a.model, a.channel, a.currency;

CREATE UNIQUE INDEX mv_allocation_summary_key ON analytics.mv_allocation_summary (tenant_id, model, channel, currency);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
INSERT INTO skeldir.matviews (name, cadence, description)
VALUES ('mv_allocation_summary', 'daily', 'Allocated revenue per tenant, model, channel and currency.');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.matviews WHERE name = 'mv_allocation_summary';
DROP MATERIALIZED VIEW analytics.mv_allocation_summary;
