-- migrate:up
-- Credits written before the fifth model have no position-based share:
-- recompute every tenant's purchases, all time, so each sums exactly under
-- all five models, then refresh the views that read the credits. A recompute writes
-- only rows that differ, which here is every row once.
SET LOCAL ROLE skeldir_owner;

DO $$
DECLARE
  t uuid;
  saved text := current_setting('app.current_tenant_id', true);
BEGIN
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM set_config('app.current_tenant_id', t::text, true);
    PERFORM skeldir.recompute_attribution('-infinity', 'infinity');
  END LOOP;
  PERFORM set_config('app.current_tenant_id', coalesce(saved, ''), true);
END
$$;
-- The views that read the credits, now (a job would be left pending in a
-- database that no worker serves yet).
REFRESH MATERIALIZED VIEW analytics.mv_channel_performance;
REFRESH MATERIALIZED VIEW analytics.mv_allocation_summary;

-- migrate:down
SELECT 1;
