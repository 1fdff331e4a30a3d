-- migrate:up
-- Small readers shared by the vendor mappings. A payload that cannot be used
-- raises SQLSTATE SK422 with the error type in DETAIL; ingestion turns that
-- into a dead event, never into an error response.
SET LOCAL ROLE skeldir_owner;

CREATE FUNCTION skeldir.unusable(error_type text, message text) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = 'SK422', DETAIL = error_type;
END
$$;

-- The scalar at doc #> path as text (numbers and strings alike), or a
-- missing_field failure naming it.
CREATE FUNCTION skeldir.required(doc jsonb, VARIADIC path text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  v jsonb := doc #> path;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) NOT IN ('string', 'number') OR btrim(v #>> '{}') = '' THEN
    PERFORM skeldir.unusable('missing_field', format('required field %s is missing or not a scalar',
                                                     array_to_string(path, '.')));
  END IF;
  RETURN v #>> '{}';
END
$$;

-- A payload timestamp in UTC: ISO 8601 with an offset as given, without one
-- read as UTC, or Unix seconds. NULL for NULL; invalid_timestamp otherwise.
CREATE FUNCTION skeldir.utc_time(value jsonb) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  t text := value #>> '{}';
BEGIN
  IF value IS NULL OR jsonb_typeof(value) = 'null' THEN
    RETURN NULL;
  ELSIF jsonb_typeof(value) = 'number' AND t ~ '^[0-9]{1,11}$' THEN
    RETURN to_timestamp(t::bigint);
  ELSIF jsonb_typeof(value) = 'string'
        AND t ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$' THEN
    BEGIN
      IF t ~ '(Z|[+-]\d{2}(:?\d{2})?)$' THEN
        RETURN t::timestamptz;
      END IF;
      RETURN t::timestamp AT TIME ZONE 'UTC';
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      NULL;  -- falls through to the failure below
    END;
  END IF;
  PERFORM skeldir.unusable('invalid_timestamp', format('timestamp %s is not ISO 8601 or Unix seconds', value));
  RETURN NULL;
END
$$;

-- The value of query parameter name in url (a landing page), '+' decoded.
CREATE FUNCTION skeldir.url_param(url text, name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(replace((regexp_match(url, '[?&]' || name || '=([^&#]*)'))[1], '+', ' '), '');

-- The value of the first {<key_field>: name, <value_field>: ...} entry of a
-- list of attributes (Shopify note_attributes, WooCommerce meta_data).
CREATE FUNCTION skeldir.attribute(list jsonb, key_field text, value_field text, VARIADIC names text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  RETURN (SELECT nullif(btrim(e ->> value_field), '')
            FROM jsonb_array_elements(CASE jsonb_typeof(list) WHEN 'array' THEN list ELSE '[]' END)
                 WITH ORDINALITY AS a(e, n)
           WHERE jsonb_typeof(e) = 'object' AND e ->> key_field = ANY (names)
           ORDER BY array_position(names, e ->> key_field), n
           LIMIT 1);
END
$$;

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP FUNCTION skeldir.attribute(jsonb, text, text, text[]);
DROP FUNCTION skeldir.url_param(text, text);
DROP FUNCTION skeldir.utc_time(jsonb);
DROP FUNCTION skeldir.required(jsonb, text[]);
DROP FUNCTION skeldir.unusable(text, text);
