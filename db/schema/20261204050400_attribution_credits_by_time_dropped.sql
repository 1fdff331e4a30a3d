-- migrate:up
-- The credits' index by time (20261204040000) goes (issue 15, target 4).
-- It served the job's day, which read its 6,666 stored credits by time
-- (8-10 ms instead of 30-40 ms). A recompute inside a marked window now
-- reads only the credits of the purchases it computes, by key
-- (20261204050300), and with the index there the planner read them through
-- it instead, scanning the tenant's whole index when the statistics were
-- those of a table just emptied (100-200 ms of a 1-purchase recompute).
-- Writing 250,000 credits in one statement costs the index about as much as
-- the whole heap (measured alone, 250,000 credit rows inserted: 0.7-0.9 s
-- without indexes, 1.4-1.9 s with the key, 2.7-2.8 s with both), in every
-- recompute from scratch. A window computed whole without a mark (its
-- first recompute, after credits written by hand or a new definition)
-- reads the tenant's credits once instead.
SET LOCAL ROLE skeldir_owner;

DROP INDEX skeldir.attribution_credits_occurred_idx;

-- migrate:down
-- (Forward only, README "Migrations".)
