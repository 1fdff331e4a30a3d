-- migrate:up
-- skeldir.pii_found, cheaper again: every string was joined with each of the
-- three kinds, a row of executor work per pair (about 20 µs a string, 0.3 ms
-- an event row). Each string is now tested once with the inlined
-- skeldir.pii_value (about 4 µs), and only a string that holds personal data
-- is asked which kinds (skeldir.pii_kinds). Same answers.
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
      SELECT 'value:' || kind
        FROM (SELECT v #>> '{}' AS text
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "string")') AS v
              UNION ALL
              SELECT k #>> '{}'
                FROM jsonb_path_query(doc, 'strict $.** ? (@.type() == "object").keyvalue().key') AS k) AS s,
             unnest(CASE WHEN skeldir.pii_value(s.text) THEN skeldir.pii_kinds(s.text) END) AS kind
    ) AS x ORDER BY 1);
END
$$;

-- migrate:down
-- (skeldir.pii_found keeps this body; 20261202001800 defines the one before.)
SELECT 1;
