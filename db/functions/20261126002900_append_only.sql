-- migrate:up
-- Ledger-like tables are append-only for everyone, the owner included
-- (SPEC §2.2): privileges keep callers out, and this trigger keeps out
-- whoever holds privileges.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.forbid_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON skeldir.attribution_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.attribution_events
  FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON skeldir.revenue_ledger
  FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON skeldir.revenue_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION skeldir.forbid_change();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER append_only_truncate ON skeldir.revenue_ledger;
DROP TRIGGER append_only ON skeldir.revenue_ledger;
DROP TRIGGER append_only_truncate ON skeldir.attribution_events;
DROP TRIGGER append_only ON skeldir.attribution_events;
DROP FUNCTION skeldir.forbid_change();
