-- migrate:up
-- Personal data never reaches storage (SPEC §4.4). One regular expression
-- names the keys, at any depth and in any case: the 18 personal fields plus
-- the billing and shipping detail objects that hold names and addresses.
-- strip_pii() removes them and reports where they were; contains_pii() is the
-- last line of defence (a trigger) and the scan.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.pii_key_regex() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '^(email|email_address|phone|phone_number|ssn|social_security_number|ip|ip_address'
       '|first_name|last_name|full_name|address|street_address|billing_address|shipping_address'
       '|customer_email|customer_phone|receipt_email'
       '|billing|shipping|billing_details|shipping_details)$';

CREATE FUNCTION skeldir.pii_jsonpath() RETURNS jsonpath
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ('strict $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "'
        || skeldir.pii_key_regex() || '" flag "i")')::jsonpath;

CREATE FUNCTION skeldir.contains_pii(doc jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN doc IS NOT NULL AND jsonb_path_exists(doc, skeldir.pii_jsonpath());

-- doc without any PII key, and the JSON paths ($.a.b[0].c) of what was
-- removed. Only subtrees that hold PII are rebuilt; the rest is kept as is.
CREATE FUNCTION skeldir.strip_pii(doc jsonb, path text DEFAULT '$',
                                  OUT clean jsonb, OUT removed text[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  k text;
  v jsonb;
  i integer := 0;
  sub record;
BEGIN
  removed := '{}';
  IF NOT skeldir.contains_pii(doc) THEN
    clean := doc;
    RETURN;
  END IF;
  IF jsonb_typeof(doc) = 'object' THEN
    clean := '{}';
    FOR k, v IN SELECT * FROM jsonb_each(doc) LOOP
      IF k ~* skeldir.pii_key_regex() THEN
        removed := removed || (path || '.' || k);
      ELSE
        sub := skeldir.strip_pii(v, path || '.' || k);
        clean := clean || jsonb_build_object(k, sub.clean);
        removed := removed || sub.removed;
      END IF;
    END LOOP;
  ELSE  -- an array, since only objects and arrays can hold keys
    clean := '[]';
    FOR v IN SELECT * FROM jsonb_array_elements(doc) LOOP
      sub := skeldir.strip_pii(v, path || '[' || i || ']');
      clean := clean || jsonb_build_array(sub.clean);
      removed := removed || sub.removed;
      i := i + 1;
    END LOOP;
  END IF;
END
$$;

-- The last line of defence: no row carrying a PII key is ever stored.
CREATE FUNCTION skeldir.reject_pii() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF skeldir.contains_pii(NEW.payload) THEN
    RAISE EXCEPTION 'refusing to store personal data in %', TG_TABLE_NAME
      USING ERRCODE = 'check_violation', HINT = 'pass payloads through skeldir.strip_pii() first';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF payload ON skeldir.attribution_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();
CREATE TRIGGER reject_pii BEFORE INSERT OR UPDATE OF payload ON skeldir.dead_events
  FOR EACH ROW EXECUTE FUNCTION skeldir.reject_pii();

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TRIGGER reject_pii ON skeldir.dead_events;
DROP TRIGGER reject_pii ON skeldir.attribution_events;
DROP FUNCTION skeldir.reject_pii();
DROP FUNCTION skeldir.strip_pii(jsonb, text);
DROP FUNCTION skeldir.contains_pii(jsonb);
DROP FUNCTION skeldir.pii_jsonpath();
DROP FUNCTION skeldir.pii_key_regex();
