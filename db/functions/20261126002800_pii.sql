-- migrate:up
-- Personal data never reaches storage (SPEC §4.4). One list names the keys,
-- matched at any depth and in any case: the 18 personal fields plus the
-- billing and shipping detail objects that hold names and addresses.
-- strip_pii() removes them and reports where they were; contains_pii() is the
-- last line of defence (a trigger) and the scan. Keys are compared as a set
-- rather than by regular expression: an order of magnitude cheaper on the
-- ingest path.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.pii_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '{email,email_address,phone,phone_number,ssn,social_security_number,ip,ip_address,'
       'first_name,last_name,full_name,address,street_address,billing_address,shipping_address,'
       'customer_email,customer_phone,receipt_email,'
       'billing,shipping,billing_details,shipping_details}'::text[];

-- PL/pgSQL rather than SQL: a sub-query keeps a SQL function from being
-- inlined, and PL/pgSQL keeps its plan for the session instead of re-planning
-- on every delivery.
CREATE FUNCTION skeldir.contains_pii(doc jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  RETURN EXISTS (SELECT FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k
                  WHERE lower(k #>> '{}') = ANY (skeldir.pii_keys()));
END
$$;

-- doc without any PII key, and the JSON paths ($.a.b[0].c) of what was
-- removed. Only subtrees that hold PII are rebuilt, each in one pass; the
-- rest is kept as it is.
CREATE FUNCTION skeldir.strip_pii(doc jsonb, path text DEFAULT '$',
                                  OUT clean jsonb, OUT removed text[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  IF NOT skeldir.contains_pii(doc) THEN
    clean := doc;
    removed := '{}';
  ELSIF jsonb_typeof(doc) = 'object' THEN
    WITH member AS (
      SELECT e.key, lower(e.key) = ANY (skeldir.pii_keys()) AS pii,
             skeldir.strip_pii(e.value, path || '.' || e.key) AS part
        FROM jsonb_each(doc) AS e
    )
    SELECT coalesce(jsonb_object_agg(m.key, (m.part).clean) FILTER (WHERE NOT m.pii), '{}'),
           coalesce(array_agg(path || '.' || m.key) FILTER (WHERE m.pii), '{}')
             || ARRAY(SELECT r FROM member AS n, unnest((n.part).removed) AS r WHERE NOT n.pii)
      INTO clean, removed
      FROM member AS m;
  ELSE  -- an array: only objects and arrays can hold keys
    WITH element AS (
      SELECT skeldir.strip_pii(a.value, path || '[' || (a.n - 1) || ']') AS part, a.n
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(value, n)
    )
    SELECT jsonb_agg((e.part).clean ORDER BY e.n),
           ARRAY(SELECT r FROM element AS x, unnest((x.part).removed) AS r)
      INTO clean, removed
      FROM element AS e;
  END IF;
END
$$;

-- The last line of defence: no row carrying a PII key is ever stored.
CREATE FUNCTION skeldir.reject_pii() RETURNS trigger
LANGUAGE plpgsql
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
DROP FUNCTION skeldir.pii_keys();
