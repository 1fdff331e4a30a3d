-- migrate:up
-- Credits written by anyone but a recompute forget their tenants' marks
-- (skeldir.attribution_marks, 20261204050100): the next recompute of a
-- marked window then computes all of it instead of trusting the mark.
-- A recompute's own writes keep them: it writes a purchase's credits as
-- computed from every event visible to it, which a mark of an older
-- snapshot still describes truly, and it records its own window after.
-- It says so for the one statement that writes
-- (skeldir.attribution_writer = its tenant, set locally and cleared after;
-- an error rolls it back with the statement's subtransaction or
-- transaction). The owner, the only role that may write credits at all,
-- could set it by hand too: it guards against accidents, not against the
-- owner. A TRUNCATE (which fires no row or statement trigger for rows)
-- forgets every mark. What it does to skeldir.attribution_recomputes is
-- as in 20261204040500: every write forgets, a recompute's too.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.forget_attribution_recomputes() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  context uuid := skeldir.current_tenant_id();
  tenants uuid[];
BEGIN
  IF NOT EXISTS (SELECT FROM changed) THEN
    RETURN NULL;
  END IF;
  -- Mostly one tenant's rows: the one in context (no sort of the rows).
  IF NOT EXISTS (SELECT FROM changed AS c WHERE c.tenant_id IS DISTINCT FROM context) THEN
    tenants := ARRAY[context];
  ELSE
    tenants := ARRAY(SELECT DISTINCT c.tenant_id FROM changed AS c);
  END IF;
  PERFORM skeldir.take_turns(VARIADIC ARRAY(SELECT 'recompute_attribution/' || t FROM unnest(tenants) AS t ORDER BY t));
  DELETE FROM skeldir.attribution_recomputes AS r WHERE r.tenant_id = ANY (tenants);
  IF tenants IS DISTINCT FROM ARRAY[context]
     OR coalesce(current_setting('skeldir.attribution_writer', true), '') IS DISTINCT FROM context::text THEN
    DELETE FROM skeldir.attribution_marks AS m WHERE m.tenant_id = ANY (tenants);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION skeldir.forget_attribution_marks() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  -- Every tenant's: a TRUNCATE empties the table for all of them. The
  -- policy would hide other tenants' marks from a DELETE, so the table is
  -- emptied the same way.
  TRUNCATE skeldir.attribution_marks;
  RETURN NULL;
END
$$;

CREATE TRIGGER marks_forgotten_truncate AFTER TRUNCATE ON skeldir.attribution_credits
  FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forget_attribution_marks();

-- migrate:down
-- (Forward only, README "Migrations": skeldir.forget_attribution_recomputes
-- keeps this body; 20261204040500 defines the one before.)
