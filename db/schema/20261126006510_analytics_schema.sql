-- migrate:up
-- Schema analytics holds the materialized views and belongs to their owner,
-- skeldir_analytics (20261126006500). Nobody else may use it: the views are
-- read through api functions, never directly.
CREATE SCHEMA analytics AUTHORIZATION skeldir_analytics;
COMMENT ON SCHEMA analytics IS 'Materialized views over every tenant; read only through api functions.';
REVOKE ALL ON SCHEMA analytics FROM PUBLIC;

SET LOCAL ROLE skeldir_owner;
GRANT USAGE ON SCHEMA skeldir TO skeldir_analytics;
GRANT SELECT ON skeldir.revenue_ledger, skeldir.attribution_events, skeldir.attribution_credits,
                skeldir.attribution_allocations, skeldir.channel_taxonomy TO skeldir_analytics;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.revenue_ledger, skeldir.attribution_events, skeldir.attribution_credits,
                 skeldir.attribution_allocations, skeldir.channel_taxonomy FROM skeldir_analytics;
REVOKE USAGE ON SCHEMA skeldir FROM skeldir_analytics;
RESET ROLE;
DROP SCHEMA analytics;
