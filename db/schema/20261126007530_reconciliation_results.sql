-- migrate:up
-- What a run found, one row per shop order of its window (SPEC §6.4). The
-- link between the sides is the order id: a shop books an order under its
-- own id; Stripe books a payment under metadata.order_id and PayPal under
-- resource.invoice_id (each falls back to its own transaction id, which then
-- matches no order). claimed_cents is the shop's net (captured minus
-- refunded and charged back), captured_cents the processors' net, both in
-- the order's currency (processor money in another currency does not count,
-- so it shows as a discrepancy). discrepancy_bps is (captured - claimed) /
-- |claimed| in basis points, rounded half away from zero: 0 when verified,
-- -10000 for a ghost, NULL when nothing is claimed. processor_platform is the
-- processor that captured the order (the larger capture when two did), NULL
-- when none did; an order that differs is a ghost exactly when it is NULL.
-- An order fully refunded at the shop and never captured claims 0 against 0:
-- verified. A row's identity is (tenant, run, shop, order) and nothing
-- records when it was written, so a rerun of a run writes identical rows.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.reconciliation_results (
  tenant_id          uuid NOT NULL,
  run_id             uuid NOT NULL,
  shop_platform      skeldir.vendor NOT NULL REFERENCES skeldir.reconciliation_platforms (platform),
  order_id           text NOT NULL,
  processor_platform skeldir.vendor REFERENCES skeldir.reconciliation_platforms (platform),
  ordered_at         timestamptz NOT NULL,
  currency           text NOT NULL,
  claimed_cents      bigint NOT NULL,
  captured_cents     bigint NOT NULL,
  outcome            skeldir.reconciliation_outcome NOT NULL,
  discrepancy_bps    bigint,
  PRIMARY KEY (tenant_id, run_id, shop_platform, order_id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES skeldir.reconciliation_runs (tenant_id, id) ON DELETE CASCADE,
  CHECK ((outcome = 'verified') = (claimed_cents = captured_cents)),
  CHECK (outcome = 'verified' OR (outcome = 'ghost') = (processor_platform IS NULL))
);

COMMENT ON TABLE skeldir.reconciliation_results IS
  'Per shop order of a reconciliation run: claimed vs captured minor units, outcome, discrepancy in basis points.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.reconciliation_results;
