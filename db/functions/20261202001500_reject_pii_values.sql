-- migrate:up
-- The last line of defence checks values, not only keys: no row of the
-- ingestion tables is stored if any of its text or JSON (at any depth, keys
-- included) holds an email address, an IP address or a phone number, or its
-- JSON a PII key. The projection and redaction before it should make this
-- unreachable; it exists so that a mistake in them fails loudly instead of
-- storing personal data. The ledger, whose text comes from the same
-- payloads, is guarded too.
SET LOCAL ROLE skeldir_owner;

-- What personal data a document holds: the PII keys it uses (lower case, from
-- skeldir.pii_keys()) and "value:<kind>" for each kind of personal value in
-- any of its strings or key names. Empty when it holds none. A text value
-- is checked as the JSON string it converts to.
CREATE FUNCTION skeldir.pii_found(doc jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ARRAY(
    SELECT DISTINCT x.found FROM (
      SELECT lower(k #>> '{}') AS found
        FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k
       WHERE lower(k #>> '{}') = ANY (skeldir.pii_keys())
      UNION ALL
      SELECT 'value:' || kind
        FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string")') AS v,
             unnest(skeldir.pii_kinds(v #>> '{}')) AS kind
      UNION ALL
      SELECT 'value:' || kind
        FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k,
             unnest(skeldir.pii_kinds(k #>> '{}')) AS kind
    ) AS x ORDER BY 1);
END;

CREATE OR REPLACE FUNCTION skeldir.reject_pii() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF cardinality(skeldir.pii_found(to_jsonb(NEW))) > 0 THEN
    RAISE EXCEPTION 'refusing to store personal data in %', TG_TABLE_NAME
      USING ERRCODE = 'check_violation', HINT = 'store payloads as skeldir.project_payload() projects them';
  END IF;
  RETURN NEW;
END
$$;

-- Every column now, not only payload.
DROP TRIGGER reject_pii ON skeldir.attribution_events;
DROP TRIGGER reject_pii ON skeldir.dead_events;
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE ON skeldir.attribution_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE ON skeldir.dead_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();
CREATE TRIGGER reject_pii BEFORE INSERT ON skeldir.revenue_ledger
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER reject_pii ON skeldir.revenue_ledger;
DROP TRIGGER reject_pii ON skeldir.dead_events;
DROP TRIGGER reject_pii ON skeldir.attribution_events;
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF payload ON skeldir.attribution_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF payload ON skeldir.dead_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();
DROP FUNCTION skeldir.pii_found(jsonb);
