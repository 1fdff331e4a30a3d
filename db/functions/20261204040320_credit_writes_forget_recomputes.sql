-- migrate:up
-- A write to the credits forgets what their tenant's recomputes recorded
-- (skeldir.attribution_recomputes, 20261204040300): credits deleted or
-- edited by hand are written again by the next recompute of their window,
-- which computes instead of trusting its counts. A recompute that writes
-- forgets too (its tenant's other windows may hold those purchases) and
-- records its own window after its write; a statement that changes no row
-- forgets nothing. The writer takes the tenant's recompute turn first, so a
-- write made while a recompute runs waits for it and then forgets what it
-- recorded. (TRUNCATE fires no row trigger: a window recorded with credits
-- that has none is computed again, 20261204040400.)
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.forget_attribution_recomputes() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  tenants uuid[];
BEGIN
  IF NOT EXISTS (SELECT FROM changed) THEN
    RETURN NULL;
  END IF;
  -- Mostly one tenant's rows: the one in context (no sort of the rows).
  IF NOT EXISTS (SELECT FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM skeldir.current_tenant_id()) THEN
    tenants := ARRAY[skeldir.current_tenant_id()];
  ELSE
    tenants := ARRAY(SELECT DISTINCT c.tenant_id FROM changed AS c);
  END IF;
  PERFORM skeldir.take_turns(VARIADIC ARRAY(SELECT 'recompute_attribution/' || t FROM unnest(tenants) AS t ORDER BY t));
  DELETE FROM skeldir.attribution_recomputes AS r WHERE r.tenant_id = ANY (tenants);
  RETURN NULL;
END
$$;

CREATE TRIGGER recomputes_forgotten_insert AFTER INSERT ON skeldir.attribution_credits
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();
CREATE TRIGGER recomputes_forgotten_update AFTER UPDATE ON skeldir.attribution_credits
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();
CREATE TRIGGER recomputes_forgotten_delete AFTER DELETE ON skeldir.attribution_credits
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_recomputes();

-- migrate:down
-- (Forward only, README "Migrations".)
