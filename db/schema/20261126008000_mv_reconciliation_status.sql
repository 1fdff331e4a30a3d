-- migrate:up
-- Per tenant and platform: the reconciliation status (SPEC §6.4) with the
-- latest completed run's counts. A tenant that never asked for a run is
-- pending on every platform.
SET LOCAL ROLE skeldir_owner;
GRANT SELECT ON skeldir.tenants, skeldir.reconciliation_platforms, skeldir.reconciliation_platform_status
   TO skeldir_analytics;
SET LOCAL ROLE skeldir_analytics;

CREATE MATERIALIZED VIEW analytics.mv_reconciliation_status AS
SELECT t.id AS tenant_id, p.platform, p.side, p.display_name,
       coalesce(s.status, 'pending') AS status,
       coalesce(s.orders_total, 0) AS orders_total,
       coalesce(s.verified_count, 0) AS verified_count,
       coalesce(s.ghost_count, 0) AS ghost_count,
       coalesce(s.discrepancy_count, 0) AS discrepancy_count,
       coalesce(s.unmatched_count, 0) AS unmatched_count,
       coalesce(s.verified_revenue, '{}') AS verified_revenue,
       s.last_synced_at, s.error, s.last_run_id
  FROM skeldir.tenants AS t
 CROSS JOIN skeldir.reconciliation_platforms AS p
  LEFT JOIN skeldir.reconciliation_platform_status AS s ON s.tenant_id = t.id AND s.platform = p.platform
 WHERE t.id <> '00000000-0000-0000-0000-000000000000';

CREATE UNIQUE INDEX mv_reconciliation_status_key ON analytics.mv_reconciliation_status (tenant_id, platform);

RESET ROLE;
SET LOCAL ROLE skeldir_owner;
INSERT INTO skeldir.matviews (name, cadence, description)
VALUES ('mv_reconciliation_status', 'realtime', 'Reconciliation status and counts per tenant and platform.');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DELETE FROM skeldir.matviews WHERE name = 'mv_reconciliation_status';
DROP MATERIALIZED VIEW analytics.mv_reconciliation_status;
REVOKE SELECT ON skeldir.tenants, skeldir.reconciliation_platforms, skeldir.reconciliation_platform_status
    FROM skeldir_analytics;
