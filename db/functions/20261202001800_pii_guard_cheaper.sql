-- migrate:up
-- The value guard, cheaper. skeldir.pii_found: it called skeldir.pii_kinds once per string,
-- and a SQL function holding a sub-query is not inlined, so each call cost
-- about 30 µs (an order's row has some 40 strings: 1.2 ms a row, on every
-- insert the reject_pii trigger guards). The kinds are now tried in the one
-- query, per string and kind, with the same prefilters and patterns. And it
-- is PL/pgSQL: a SQL function called from a trigger is planned again on every
-- call (its plan lives only as long as the calling statement), PL/pgSQL
-- keeps its plan for the session.
SET LOCAL ROLE skeldir_owner;

CREATE OR REPLACE FUNCTION skeldir.pii_found(doc jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  RETURN ARRAY(
    SELECT DISTINCT x.found FROM (
      SELECT lower(k #>> '{}') AS found
        FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k
       WHERE lower(k #>> '{}') = ANY (skeldir.pii_keys())
      UNION ALL
      SELECT 'value:' || kind.name
        FROM (SELECT v #>> '{}' AS text
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string")') AS v
              UNION ALL
              SELECT k #>> '{}'
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k) AS s,
             (VALUES ('email'), ('ip'), ('phone')) AS kind(name)
       WHERE skeldir.may_hold_pii(kind.name, s.text) AND s.text ~ skeldir.pii_pattern(kind.name)
    ) AS x ORDER BY 1);
END
$$;

-- The guard reads only the columns a sender's data can reach: the text and
-- JSON columns, named as the trigger's arguments (tests/sql/personal_data.sql
-- checks, from the catalog, that every text and JSON column of a guarded
-- table is named), instead of every uuid, timestamp and digest of the row.
CREATE OR REPLACE FUNCTION skeldir.reject_pii() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  row_doc jsonb := to_jsonb(NEW);
BEGIN
  IF cardinality(skeldir.pii_found((SELECT jsonb_object_agg(c, row_doc -> c) FROM unnest(TG_ARGV) AS c))) > 0 THEN
    RAISE EXCEPTION 'refusing to store personal data in %', TG_TABLE_NAME
      USING ERRCODE = 'check_violation', HINT = 'store payloads as skeldir.project_payload() projects them';
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER reject_pii ON skeldir.attribution_events;
DROP TRIGGER reject_pii ON skeldir.dead_events;
DROP TRIGGER reject_pii ON skeldir.revenue_ledger;
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE ON skeldir.attribution_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('idempotency_key', 'topic', 'external_id', 'order_id', 'session_id',
    'channel', 'utm_source', 'utm_medium', 'referrer', 'currency', 'payload', 'pii_paths');
-- A repeat of an open dead event only counts it (occurrences, last_seen_at).
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF topic, idempotency_header, error_type, error_message, payload,
  pii_paths ON skeldir.dead_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('topic', 'idempotency_header', 'error_type', 'error_message',
    'payload', 'pii_paths');
CREATE TRIGGER reject_pii BEFORE INSERT ON skeldir.revenue_ledger
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii('transaction_id', 'order_id', 'currency', 'reverses_transaction_id');

-- migrate:down
-- (skeldir.pii_found keeps this body; 20261202001500 defines the one before.)
SELECT 1;
