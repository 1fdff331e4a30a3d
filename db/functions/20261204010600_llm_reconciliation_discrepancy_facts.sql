-- migrate:up
-- The facts of a reconciliation_discrepancy explanation: one shop order a
-- reconciliation run found ghost (no processor captured it) or discrepant
-- (captured, another amount), named by its result id
-- (skeldir.reconciliation_results.id, listed by
-- GET /api/reconciliation/platform/{platform_id} under discrepancies).
-- The amounts are the run's, in the order's currency; every number the
-- generator states is cited. An id that names no finding of the tenant, or
-- a verified order (no discrepancy), is a 404 (no_data_found).
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.llm_reconciliation_discrepancy_facts(result_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  x skeldir.reconciliation_results;
  finished timestamptz;
  shop_name text;
  processor_name text;
  claimed numeric;
  captured numeric;
  gap numeric;
  gap_pct numeric;
  short boolean;
BEGIN
  SELECT * INTO x FROM skeldir.reconciliation_results AS r
   WHERE r.tenant_id = (SELECT skeldir.current_tenant_id()) AND r.id = result_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no reconciliation discrepancy %', result_id USING ERRCODE = 'no_data_found',
      HINT = 'GET /api/reconciliation/platform/{platform_id} lists the discrepancies of the latest completed run, with their ids.';
  ELSIF x.outcome = 'verified' THEN
    RAISE EXCEPTION 'reconciliation result % is a verified order: there is no discrepancy to explain', result_id
      USING ERRCODE = 'no_data_found';
  END IF;
  SELECT r.finished_at INTO finished FROM skeldir.reconciliation_runs AS r
   WHERE r.tenant_id = x.tenant_id AND r.id = x.run_id;
  SELECT p.display_name INTO shop_name FROM skeldir.reconciliation_platforms AS p WHERE p.platform = x.shop_platform;
  SELECT p.display_name INTO processor_name FROM skeldir.reconciliation_platforms AS p WHERE p.platform = x.processor_platform;
  claimed := skeldir.major_units(x.claimed_cents, x.currency);
  captured := skeldir.major_units(x.captured_cents, x.currency);
  gap := skeldir.major_units(abs(x.captured_cents - x.claimed_cents), x.currency);
  short := x.captured_cents < x.claimed_cents;
  gap_pct := round(abs(x.discrepancy_bps) / 100.0, 2);
  RETURN jsonb_build_object(
    'entity_type', 'reconciliation_discrepancy',
    'discrepancy_id', x.id,
    'run_id', x.run_id,
    'run_finished_on', (finished AT TIME ZONE 'UTC')::date,
    'order_id', x.order_id,
    'ordered_on', (x.ordered_at AT TIME ZONE 'UTC')::date,
    'outcome', x.outcome,
    'shop_platform', x.shop_platform,
    'shop_name', shop_name,
    'processor_platform', x.processor_platform,
    'processor_name', processor_name,
    'currency', x.currency,
    'claimed', claimed,
    'captured', captured,
    'gap', gap,
    'captured_short', short,
    'gap_pct', gap_pct,
    'confidence', 'high',
    'citations', jsonb_build_array(
        jsonb_build_object('metric', 'claimed_revenue', 'value', claimed, 'unit', x.currency,
                           'source', 'reconciliation_results.claimed_cents'),
        jsonb_build_object('metric', 'captured_revenue', 'value', captured, 'unit', x.currency,
                           'source', 'reconciliation_results.captured_cents'),
        jsonb_build_object('metric', CASE WHEN short THEN 'captured_short_of_claim' ELSE 'captured_over_claim' END,
                           'value', gap, 'unit', x.currency, 'source', 'reconciliation_results.captured_cents'))
      || CASE WHEN gap_pct IS NOT NULL THEN jsonb_build_array(
           jsonb_build_object('metric', 'discrepancy_pct', 'value', gap_pct, 'unit', '%',
                              'source', 'reconciliation_results.discrepancy_bps'))
         ELSE '[]' END);
END
$$;

COMMENT ON FUNCTION skeldir.llm_reconciliation_discrepancy_facts(uuid) IS
  'Facts of a reconciliation_discrepancy explanation: a ghost or discrepant order of a run, by result id, cited.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.llm_reconciliation_discrepancy_facts(uuid);
