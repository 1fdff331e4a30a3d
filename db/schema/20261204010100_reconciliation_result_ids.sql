-- migrate:up
-- Each reconciliation result carries its id (skeldir.reconciliation_result_id
-- of its key), the entity_id a client passes to explain a discrepancy and
-- reads in GET /api/reconciliation/platform/{platform_id}'s discrepancies.
-- A stored generated column, so no writer can give a row another id, and an
-- index to find a tenant's finding by it.
SET LOCAL ROLE skeldir_owner;

ALTER TABLE skeldir.reconciliation_results
  ADD COLUMN id uuid NOT NULL
  GENERATED ALWAYS AS (skeldir.reconciliation_result_id(tenant_id, run_id, shop_platform, order_id)) STORED;

CREATE UNIQUE INDEX reconciliation_results_id_idx ON skeldir.reconciliation_results (tenant_id, id);

COMMENT ON COLUMN skeldir.reconciliation_results.id IS
  'The finding''s id: UUID v5 of (tenant, run, shop platform, order id); stable across reruns of the run.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
ALTER TABLE skeldir.reconciliation_results DROP COLUMN id;
