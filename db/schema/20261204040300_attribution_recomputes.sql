-- migrate:up
-- What a recompute of a long window read (issue 15, target 4: "nothing
-- changed" in 0.5 s). Computing 100,000 purchases' credits to find them all
-- unchanged takes 4-5 s here however the statement is written (sorts and
-- window passes over 300,000 touches); the recompute can know without
-- computing. Its inputs are the tenant's events dated from 30 days before
-- the window to its end (the purchases and every touch they can have) and
-- the other events of their orders, which may be dated anywhere. Events are
-- the books (append-only: never updated, never deleted), so while neither
-- count grows no input changed; while no one wrote the credits since (a
-- write forgets the tenant's rows: skeldir.forget_attribution_recomputes;
-- a TRUNCATE leaves a window recorded with credits without any) and the
-- recompute's definition is the same, a recompute of the window would write
-- nothing, and it returns at once instead.
--
-- One row per tenant and window, written by skeldir.recompute_attribution
-- for windows of 30 days or more; shorter ones (a job's day) are computed
-- each time: their counts would read more events than their computing.
-- Derived, like the credits: deleting a row only makes the next recompute of
-- its window compute.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.attribution_recomputes (
  tenant_id     uuid NOT NULL REFERENCES skeldir.tenants (id),
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  events        bigint NOT NULL,  -- the tenant's events dated in [window_start - 30 days, window_end)
  order_events  bigint NOT NULL,  -- the tenant's events with an order id, of any date
  definition    text NOT NULL,    -- md5 of skeldir.recompute_attribution's body
  credited      boolean NOT NULL, -- whether the window held credits after it
  recomputed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, window_start, window_end)
);

COMMENT ON TABLE skeldir.attribution_recomputes IS
  'Per tenant and window of 30 days or more, what its last recompute read (event counts, definition); while they hold and no one wrote the credits since, the window is unchanged.';

-- migrate:down
-- (Forward only, README "Migrations".)
