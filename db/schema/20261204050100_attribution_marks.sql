-- migrate:up
-- What the credits of a window are known to reflect (issue 15, target 4),
-- so that a recompute of it (the job's day, or any window inside a marked
-- one) computes only the purchases that events arrived since can change.
--
-- A row (tenant, window, seen) says: every purchase of the window whose
-- inputs hold no committed event with arrived_xid >= seen
-- (skeldir.attribution_events, 20261204050000) has exactly the credits a
-- recompute would write now. A purchase's inputs are the events of its
-- order (which of them is credited) and its session's events of the 30
-- days up to it (its touches): nothing else enters its credits but the
-- recompute's definition. A recompute that computed the window (all of it,
-- or every purchase such an event can reach) records it with seen = the
-- xmin of a snapshot taken before it computed (lowered to its own
-- transaction id, whose events it saw but later ones will not be below
-- it). A mark stays true when a recompute rewrites purchases of its window
-- (they are then exact for newer events still), so the recompute's own
-- writes keep marks; credits written by anyone else forget the tenant's
-- marks, a TRUNCATE forgets every mark (20261204050200). A mark is only
-- used for the recompute definition (md5 of its body) and the cluster
-- (system identifier: a logical restore into another cluster restarts
-- transaction ids) it was recorded under.
--
-- Derived, like the credits: deleting a row only makes the next recompute
-- of its window compute all of it.
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.attribution_marks (
  tenant_id     uuid NOT NULL REFERENCES skeldir.tenants (id),
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  seen          xid8 NOT NULL,    -- events with arrived_xid below it (committed) are reflected
  definition    text NOT NULL,    -- md5 of skeldir.recompute_attribution's body
  system        bigint NOT NULL,  -- pg_control_system().system_identifier
  marked_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, window_start, window_end)
);

COMMENT ON TABLE skeldir.attribution_marks IS
  'Per tenant and recomputed window, the snapshot xmin below which every arrived event is reflected in its credits; a recompute inside it computes only what later events reach.';

-- migrate:down
-- (Forward only, README "Migrations".)
