-- migrate:up
-- The statements that lock a tenant's row, and the writes after them, name
-- the tenant (issue 16). Citus locks rows (FOR UPDATE) only on one shard,
-- chosen by a tenant_id compared with a value ('could not run distributed
-- query with FOR UPDATE/SHARE commands', make test-citus: every
-- dead-letter replay, user lookup by email and session refresh; the
-- reconciliation run is 20261204081000), and sends a write that names no
-- tenant to every shard. On PostgreSQL the policies already kept each
-- statement to the tenant in context: the same rows, found by the same
-- keys (each table's key begins with tenant_id).
--
-- Each function is redefined from its catalog definition with the
-- replacements below and nothing else, by skeldir.rewrite_function (which
-- later migrations use too). Two functions read the tenant in context into
-- a new variable, as the others already do.
SET LOCAL ROLE skeldir_owner;

-- A migration's tool: it runs as the migrating superuser, whose CREATE OR
-- REPLACE keeps the function's owner and grants (20261204070900 rewrote
-- functions the same way, in a block of its own).
CREATE FUNCTION skeldir.rewrite_function(f regprocedure, old text, new text, expected integer) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  def text := pg_get_functiondef(f);
  found integer := (length(def) - length(replace(def, old, ''))) / length(old);
BEGIN
  IF found <> expected THEN
    RAISE EXCEPTION '% has % places "%", not %', f, found, old, expected;
  END IF;
  EXECUTE replace(def, old, new);
END
$$;

REVOKE EXECUTE ON FUNCTION skeldir.rewrite_function(regprocedure, text, text, integer) FROM PUBLIC;

COMMENT ON FUNCTION skeldir.rewrite_function(regprocedure, text, text, integer) IS
  'For migrations: redefines f from its catalog definition with old replaced by new, failing unless old occurs exactly expected times.';

RESET ROLE;
SELECT skeldir.rewrite_function(f::regprocedure, old, new, expected)
  FROM (VALUES
    ('skeldir.replay_dead_event(uuid)', E'DECLARE\n  x skeldir.dead_events;',
     E'DECLARE\n  tenant uuid := skeldir.current_tenant_id();\n  x skeldir.dead_events;', 1),
    ('skeldir.replay_dead_event(uuid)', 'WHERE de.id = dead_event_id FOR UPDATE',
     'WHERE de.tenant_id = tenant AND de.id = dead_event_id FOR UPDATE', 1),
    ('skeldir.replay_dead_event(uuid)', 'WHERE de.id = x.id', 'WHERE de.tenant_id = tenant AND de.id = x.id', 3),
    ('skeldir.user_by_email(text)', E'DECLARE\n  match skeldir.users;',
     E'DECLARE\n  tenant uuid := skeldir.current_tenant_id();\n  match skeldir.users;', 1),
    ('skeldir.user_by_email(text)', 'WHERE u.email = skeldir.normalize_email(user_by_email.email) FOR UPDATE',
     'WHERE u.tenant_id = tenant AND u.email = skeldir.normalize_email(user_by_email.email) FOR UPDATE', 1),
    ('api.refresh_session(text, interval, interval)', 'WHERE t.token_hash = digest FOR UPDATE',
     'WHERE t.tenant_id = tenant AND t.token_hash = digest FOR UPDATE', 1)
  ) AS c(f, old, new, expected);

-- migrate:down
-- (Forward only, README "Migrations".)
