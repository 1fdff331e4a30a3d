-- migrate:up
-- The history of attribution (issue 13, item 3): a purchase's credits are
-- derived data that a recompute rewrites when its inputs change (a late
-- touch, a second webhook for the order, a new model version), and a
-- merchant who exported last month's channel revenue must be able to see
-- why it moved. Each credit row a recompute replaces or removes is kept here
-- as it was, with when it was superseded, whether the channel's credit was
-- revised or withdrawn (the channel no longer touches the purchase, or
-- another event of the order is now the one attributed), why the recompute
-- ran (reason) and which job ran it. Append-only, like the books.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.attribution_credit_history (
  tenant_id             uuid NOT NULL REFERENCES skeldir.tenants (id),
  event_id              uuid NOT NULL,
  channel               text NOT NULL,
  -- the credit as it was (skeldir.attribution_credits)
  currency              text NOT NULL,
  occurred_at           timestamptz NOT NULL,
  last_touch_cents      bigint NOT NULL,
  first_touch_cents     bigint NOT NULL,
  linear_cents          bigint NOT NULL,
  time_decay_cents      bigint NOT NULL,
  position_based_cents  bigint NOT NULL,
  linear_ratio          numeric(11, 10) NOT NULL,
  time_decay_ratio      numeric(11, 10) NOT NULL,
  position_based_ratio  numeric(11, 10) NOT NULL,
  model_version         text NOT NULL,
  -- what happened to it, when and why
  change                text NOT NULL CHECK (change IN ('revised', 'withdrawn')),
  superseded_at         timestamptz NOT NULL DEFAULT now(),
  reason                text NOT NULL CHECK (reason <> ''),
  job_id                bigint,
  FOREIGN KEY (tenant_id, event_id) REFERENCES skeldir.attribution_events (tenant_id, id)
);
CREATE INDEX attribution_credit_history_event_idx
  ON skeldir.attribution_credit_history (tenant_id, event_id, superseded_at);

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON skeldir.attribution_credit_history
  FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.attribution_credit_history
  FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

COMMENT ON TABLE skeldir.attribution_credit_history IS
  'Credits a recompute replaced (revised) or removed (withdrawn), as they were, with when, why and by which job.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.attribution_credit_history;
