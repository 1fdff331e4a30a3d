-- migrate:up
-- Analysts read ingested data under RLS, and the reference tables it points to.
SET LOCAL ROLE skeldir_owner;

GRANT SELECT ON skeldir.attribution_events, skeldir.revenue_ledger, skeldir.dead_events,
                skeldir.currencies, skeldir.webhook_topics
  TO skeldir_readonly;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
REVOKE SELECT ON skeldir.attribution_events, skeldir.revenue_ledger, skeldir.dead_events,
                 skeldir.currencies, skeldir.webhook_topics
  FROM skeldir_readonly;
