-- migrate:up
-- A value an INSERT takes from another table is read before the statement
-- (issue 16): Citus refuses a subquery among the VALUES of an INSERT into a
-- distributed table ('subqueries are not supported within INSERT
-- queries', make test-citus: every explanation, skeldir.explain caching
-- its answer with the settings' time to live). The same value, read by the
-- same query, a statement earlier in the same transaction.
SELECT skeldir.rewrite_function(f::regprocedure, old, new, 1)
  FROM (VALUES
    ('skeldir.explain(text, text, jsonb, uuid)', E'  content jsonb;\n', E'  content jsonb;\n  ttl interval;\n'),
    ('skeldir.explain(text, text, jsonb, uuid)', '  INSERT INTO skeldir.explanation_cache AS c',
     E'  ttl := (SELECT s.explanation_ttl FROM skeldir.llm_settings AS s);\n  INSERT INTO skeldir.explanation_cache AS c'),
    ('skeldir.explain(text, text, jsonb, uuid)', 'now() + (SELECT s.explanation_ttl FROM skeldir.llm_settings AS s))',
     'now() + ttl)')
  ) AS c(f, old, new);

-- migrate:down
-- (Forward only, README "Migrations".)
