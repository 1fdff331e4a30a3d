-- migrate:up
-- Taking turns on skeldir.turns (20261204000100), in place of advisory
-- locks. Both are invoker functions: only a caller that may lock the table's
-- rows (its owner, i.e. the definer functions) can take a turn.
SET LOCAL ROLE skeldir_owner;

-- Waits for the turns of every key given and holds them until the
-- transaction ends. The stripes are locked in ascending order, so two
-- transactions asking for several keys (a login's client address and email)
-- never hold one each while waiting for the other.
CREATE FUNCTION skeldir.take_turns(VARIADIC keys text[]) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM FROM skeldir.turns AS t
   WHERE t.stripe = ANY (ARRAY(SELECT (hashtextextended(k, 0) & 16383)::integer FROM unnest(keys) AS k))
   ORDER BY t.stripe
     FOR UPDATE;
END
$$;

COMMENT ON FUNCTION skeldir.take_turns(text[]) IS
  'Waits for and holds until commit the turns of the keys given (row locks on skeldir.turns, in stripe order).';

-- Takes the turn of a key if nobody holds it, without waiting: whether it
-- was taken (held until the transaction ends).
CREATE FUNCTION skeldir.try_take_turn(key text) RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM FROM skeldir.turns AS t
   WHERE t.stripe = (hashtextextended(key, 0) & 16383)::integer
     FOR UPDATE SKIP LOCKED;
  RETURN FOUND;
END
$$;

COMMENT ON FUNCTION skeldir.try_take_turn(text) IS
  'Takes the turn of a key unless another transaction holds it; whether it did (held until commit).';

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.try_take_turn(text);
DROP FUNCTION skeldir.take_turns(text[]);
