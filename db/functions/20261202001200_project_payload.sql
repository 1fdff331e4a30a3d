-- migrate:up
-- Projecting a payload onto its vendor's shape (skeldir.payload_projections):
-- what is kept, and the JSON paths of what was dropped ($.customer,
-- $.line_items[*].properties, $.note_attributes[gift_message]). Only kept
-- subtrees are walked; a dropped subtree costs one path. Dropped key names
-- that look personal are recorded as "[redacted]", and at most 500 paths
-- are recorded.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.project(shape jsonb, doc jsonb, path text DEFAULT '$',
                                OUT kept jsonb, OUT dropped text[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  doc_type text := jsonb_typeof(doc);
  attrs jsonb := shape -> '$attributes';
BEGIN
  dropped := '{}';
  IF doc IS NULL OR doc_type = 'null' THEN
    kept := doc;
  ELSIF jsonb_typeof(shape) IN ('boolean', 'string') THEN
    IF doc_type IN ('object', 'array') THEN
      dropped := ARRAY[path];
    ELSIF doc_type = 'string' THEN
      kept := to_jsonb(CASE WHEN shape = '"url"' THEN skeldir.clean_url(doc #>> '{}')
                            ELSE skeldir.redact_pii(doc #>> '{}') END);
    ELSE
      kept := doc;
    END IF;
  ELSIF jsonb_typeof(shape) = 'array' THEN
    IF doc_type <> 'array' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    WITH part AS (
      SELECT skeldir.project(shape -> 0, a.value, path || '[*]') AS p, a.n
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(value, n)
    )
    SELECT coalesce(jsonb_agg((part.p).kept ORDER BY part.n) FILTER (WHERE (part.p).kept IS NOT NULL), '[]'),
           ARRAY(SELECT DISTINCT d FROM part AS q, unnest((q.p).dropped) AS d)
      INTO kept, dropped
      FROM part;
  ELSIF attrs IS NOT NULL THEN
    IF doc_type <> 'array' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    WITH entry AS (
      SELECT a.n, a.value ->> (attrs ->> 'key') AS name, attrs -> 'keep' -> (a.value ->> (attrs ->> 'key')) AS s,
             a.value -> (attrs ->> 'value') AS value
        FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(value, n)
    ),
    part AS (
      SELECT e.n, e.name, skeldir.project(e.s, e.value, format('%s[%s]', path, e.name)) AS p
        FROM entry AS e WHERE e.s IS NOT NULL
    )
    SELECT coalesce((SELECT jsonb_agg(jsonb_build_object(attrs ->> 'key', q.name, attrs ->> 'value', (q.p).kept)
                                      ORDER BY q.n)
                       FROM part AS q WHERE (q.p).kept IS NOT NULL), '[]'),
           ARRAY(SELECT DISTINCT format('%s[%s]', path, skeldir.redacted_key(e.name)) FROM entry AS e WHERE e.s IS NULL)
             || ARRAY(SELECT d FROM part AS q, unnest((q.p).dropped) AS d)
      INTO kept, dropped;
  ELSE
    IF doc_type <> 'object' THEN
      dropped := ARRAY[path];
      RETURN;
    END IF;
    WITH member AS (
      SELECT e.key, shape -> e.key AS s, e.value FROM jsonb_each(doc) AS e
    ),
    part AS (
      SELECT m.key, skeldir.project(m.s, m.value, path || '.' || m.key) AS p FROM member AS m WHERE m.s IS NOT NULL
    )
    SELECT coalesce((SELECT jsonb_object_agg(q.key, (q.p).kept) FROM part AS q WHERE (q.p).kept IS NOT NULL), '{}'),
           ARRAY(SELECT path || '.' || skeldir.redacted_key(m.key) FROM member AS m WHERE m.s IS NULL ORDER BY m.key)
             || ARRAY(SELECT d FROM part AS q, unnest((q.p).dropped) AS d)
      INTO kept, dropped;
  END IF;
END
$$;

-- A key name as a dropped path may show it.
CREATE FUNCTION skeldir.redacted_key(key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN skeldir.pii_value(key) THEN '[redacted]' ELSE left(key, 100) END;

-- The stored form of a vendor's payload and what was dropped from it.
CREATE FUNCTION skeldir.project_payload(vendor skeldir.vendor, doc jsonb, OUT kept jsonb, OUT dropped text[])
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  p record;
BEGIN
  p := skeldir.project((SELECT s.shape FROM skeldir.payload_projections AS s WHERE s.vendor = project_payload.vendor),
                       doc);
  kept := p.kept;
  dropped := p.dropped[1:500];
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.project_payload(skeldir.vendor, jsonb);
DROP FUNCTION skeldir.redacted_key(text);
DROP FUNCTION skeldir.project(jsonb, jsonb, text);
