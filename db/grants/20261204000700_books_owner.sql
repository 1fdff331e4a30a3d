-- migrate:up
-- The books belong to no one who acts (issue 13, item 3; SPEC §2.2:
-- append-only "by privileges and by a trigger"). skeldir_owner, whom every
-- definer function runs as and every migration becomes, used to own the
-- events, the revenue ledger, the LLM audit log and the credit history, so
-- it could UPDATE, DELETE or TRUNCATE them, or DISABLE the very trigger that
-- forbids it. They now belong to skeldir_books: NOLOGIN, a member of nothing,
-- with no members, owning no function. skeldir_owner keeps what the product
-- needs, SELECT and INSERT (ON CONFLICT DO NOTHING needs no more), and the
-- grants others held carry over. Only a superuser can now change these
-- tables (their columns, indexes, triggers, publication membership): a
-- release that does says so, like one that creates roles.
--
-- Runs as the migrating superuser, not as skeldir_owner: creating a role and
-- giving a table to a role one is not a member of take one. skeldir_books
-- needs USAGE on the schema because foreign-key checks against a table run
-- as its owner (the ledger's check of its event, the explanation cache's of
-- its LLM call).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'skeldir_books') THEN
    CREATE ROLE skeldir_books NOLOGIN;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA skeldir TO skeldir_books;

ALTER TABLE skeldir.attribution_events OWNER TO skeldir_books;
ALTER TABLE skeldir.revenue_ledger OWNER TO skeldir_books;
ALTER TABLE skeldir.llm_api_calls OWNER TO skeldir_books;
ALTER TABLE skeldir.attribution_credit_history OWNER TO skeldir_books;
GRANT SELECT, INSERT
   ON skeldir.attribution_events, skeldir.revenue_ledger, skeldir.llm_api_calls, skeldir.attribution_credit_history
   TO skeldir_owner;

-- migrate:down
ALTER TABLE skeldir.attribution_credit_history OWNER TO skeldir_owner;
ALTER TABLE skeldir.llm_api_calls OWNER TO skeldir_owner;
ALTER TABLE skeldir.revenue_ledger OWNER TO skeldir_owner;
ALTER TABLE skeldir.attribution_events OWNER TO skeldir_owner;
REVOKE USAGE ON SCHEMA skeldir FROM skeldir_books;
