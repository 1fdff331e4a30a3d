-- migrate:up
-- A fifth attribution model (issue: revenue truth, item 2): position based,
-- 40 % of a purchase to its first touch, 40 % to its last and 20 % spread
-- evenly over the touches between; one touch takes all, two take half each.
-- A new enum value cannot be used in the transaction that adds it, so it is
-- added here alone; 20261202004100 gives the credits their columns.
SET LOCAL ROLE skeldir_owner;

ALTER TYPE skeldir.attribution_model ADD VALUE 'position_based';

-- migrate:down
-- (An enum value cannot be dropped; nothing reads it once the columns go.)
SELECT 1;
