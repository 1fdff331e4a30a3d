-- migrate:up
-- A reconciliation finding needs an id a client can name: the contract's
-- GET /api/v1/explain/reconciliation_discrepancy/{entity_id} takes a UUID,
-- and skeldir.reconciliation_results is keyed by (tenant, run, shop, order).
-- The id is the name-based UUID (version 5) of that key, so a rerun of a run,
-- which writes identical rows, gives the same ids, and a new run new ones
-- (each run's finding is its own). IMMUTABLE, as a generated column needs:
-- the shop is named by its vendor code (shopify, woocommerce), which the API
-- exposes and no migration renames.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.reconciliation_result_id(tenant_id uuid, run_id uuid, shop_platform skeldir.vendor, order_id text)
RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN skeldir.uuid_v5(skeldir.namespace_url(),
                       'urn:skeldir:reconciliation-result:' || tenant_id::text || ':' || run_id::text || ':'
                       || shop_platform::text || ':' || order_id);

COMMENT ON FUNCTION skeldir.reconciliation_result_id(uuid, uuid, skeldir.vendor, text) IS
  'The id of a reconciliation result (a finding): UUID v5 of its key (tenant, run, shop platform, order id).';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.reconciliation_result_id(uuid, uuid, skeldir.vendor, text);
