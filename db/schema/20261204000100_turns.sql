-- migrate:up
-- Turns: the product's mutual exclusion, as row locks on a table that no
-- runtime role may read or lock (issue 13, item 4). Advisory locks are open
-- to every session that can connect: an analyst's session, or any script
-- holding a login, could take the recompute lock of a tenant or the lock of
-- a login throttle and stall the product. Locking a row here takes UPDATE
-- privilege on this table, which only its owner has.
--
-- A key (text naming what takes turns, e.g. 'recompute_attribution/<tenant>')
-- hashes to one of 16,384 rows (stripes); holding a stripe until commit is
-- holding the turn of every key on it. The table never grows. Two unrelated
-- keys share a stripe about once in 16,384: they then take turns too, which
-- costs a wait, never a wrong answer (skeldir.take_turns locks several keys
-- in stripe order, so callers of several keys cannot wait for each other).
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.turns (
  stripe integer PRIMARY KEY CHECK (stripe BETWEEN 0 AND 16383)
);
INSERT INTO skeldir.turns (stripe) SELECT generate_series(0, 16383);

COMMENT ON TABLE skeldir.turns IS
  'Row locks the product takes turns on (skeldir.take_turns): keys hash to one of 16,384 stripes.';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.turns;
