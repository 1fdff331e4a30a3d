-- The books are append-only by privilege and by trigger (SPEC §2.2; issue
-- 13, item 3): neither skeldir_owner, whom every definer function runs as,
-- nor a migration login that may become it can change them or switch their
-- triggers off; a recompute keeps what it supersedes; and the product's
-- mutual exclusion is a row lock that no runtime role can take (item 4).
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(17);

CREATE TEMP TABLE book (t regclass);
INSERT INTO book VALUES ('skeldir.attribution_events'), ('skeldir.revenue_ledger'), ('skeldir.llm_api_calls'),
                        ('skeldir.attribution_credit_history');
GRANT SELECT ON book TO PUBLIC;

-- Every way to change a book, tried as the current role: what was not
-- refused for want of privilege or ownership (the trigger's refusal does
-- not count: it must not be what stops these roles).
CREATE FUNCTION pg_temp.changes_not_refused() RETURNS TABLE (statement text, answer text)
LANGUAGE plpgsql AS $$
DECLARE
  b regclass;
BEGIN
  FOR b IN SELECT x.t FROM pg_temp.book AS x LOOP
    FOREACH statement IN ARRAY ARRAY[
        format('UPDATE %s SET tenant_id = tenant_id', b),
        format('DELETE FROM %s', b),
        format('TRUNCATE %s', b),
        format('ALTER TABLE %s DISABLE TRIGGER append_only', b),
        format('ALTER TABLE %s DISABLE TRIGGER ALL', b),
        format('CREATE TRIGGER sneak BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION skeldir.forbid_change()', b),
        format('ALTER TABLE %s OWNER TO %I', b, current_user)] LOOP
      BEGIN
        EXECUTE statement;
        answer := 'done';
        RETURN NEXT;
      EXCEPTION WHEN OTHERS THEN
        IF SQLERRM !~ '^(permission denied for table|must be owner of table)' THEN
          answer := SQLERRM;
          RETURN NEXT;
        END IF;
      END;
    END LOOP;
  END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.changes_not_refused() TO PUBLIC;

SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
SELECT is_empty($$ SELECT * FROM pg_temp.changes_not_refused() $$,
  'skeldir_owner may not update, delete, truncate, re-trigger or take the books');
SELECT ok((SELECT bool_and(has_table_privilege(x.t, 'SELECT') AND has_table_privilege(x.t, 'INSERT')) FROM pg_temp.book AS x),
  'skeldir_owner still reads and appends to every book');
RESET ROLE;

CREATE ROLE books_migrator LOGIN IN ROLE skeldir_owner;
SET SESSION AUTHORIZATION books_migrator;
SELECT is_empty($$ SELECT * FROM pg_temp.changes_not_refused() $$,
  'a migration login without superuser may not change the books either');
SET ROLE skeldir_owner;
SELECT is_empty($$ SELECT * FROM pg_temp.changes_not_refused() $$,
  '... nor once it has become skeldir_owner');
RESET ROLE;
SELECT throws_ok($$ SET ROLE skeldir_books $$, '42501', NULL, '... nor become the books'' owner');
RESET SESSION AUTHORIZATION;

SELECT is_empty($$ SELECT subject, detail FROM skeldir.audit_books() WHERE NOT ok $$,
  'the audit''s book and coordination rules hold');
SELECT is((SELECT count(*) FROM skeldir.audit_books() WHERE area = 'books_owner'), 4::bigint,
  'the audit sees the four books');

-- History: a purchase of a session, first attributed to its one touch.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true);
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'books-touch-1', gen_random_uuid(), 'shopify', 'checkouts/create', 'checkout', 'co_1', NULL,
        'books-session', 0, 'USD', 'email', '2026-10-09 12:00Z', '{}'),
       (:'tenant_a', 'books-purchase', gen_random_uuid(), 'stripe', 'charge.succeeded', 'purchase', 'ch_books',
        'books-order', 'books-session', 1000, 'USD', 'email', '2026-10-10 12:00Z', '{}');
SELECT skeldir.recompute_attribution('2026-10-10', '2026-10-11') AS first_recompute \gset
SELECT skeldir.recompute_attribution('2026-10-10', '2026-10-11', 'nothing new', 41) AS second_recompute \gset
SELECT is((SELECT count(*) FROM skeldir.attribution_credit_history AS h
             JOIN skeldir.attribution_events AS e ON e.tenant_id = h.tenant_id AND e.id = h.event_id WHERE e.idempotency_key = 'books-purchase'),
          0::bigint,
  'a first recompute and one that finds nothing new supersede nothing');

-- A late touch of another channel, dated before the purchase: the email
-- credit is revised, and what it was is kept with the job's reason.
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'books-touch-2', gen_random_uuid(), 'shopify', 'checkouts/create', 'checkout', 'co_2', NULL,
        'books-session', 0, 'USD', 'google_search_paid', '2026-10-08 12:00Z', '{}');
SELECT cmp_ok(skeldir.recompute_attribution('2026-10-10', '2026-10-11', 'a late touch', 42), '>', 0::bigint,
  'a late touch changes the purchase''s credits');
SELECT results_eq($$
  SELECT h.channel, h.change, h.reason, h.job_id, h.linear_cents, h.first_touch_cents, h.model_version
    FROM skeldir.attribution_credit_history AS h JOIN skeldir.attribution_events AS e ON e.tenant_id = h.tenant_id AND e.id = h.event_id
   WHERE e.idempotency_key = 'books-purchase'
$$, $$ VALUES ('email', 'revised', 'a late touch', 42::bigint, 1000::bigint, 1000::bigint, 'v1') $$,
  'the previous credit is kept as it was, revised, with why and by which job');
SELECT is((SELECT sum(c.linear_cents) FROM skeldir.attribution_credits AS c
             JOIN skeldir.attribution_events AS e ON e.tenant_id = c.tenant_id AND e.id = c.event_id WHERE e.idempotency_key = 'books-purchase'),
          1000::numeric, 'the new credits still sum exactly to the purchase');

-- The shop's order for the same order id, with a session of its own: it is
-- now the order's attributed purchase, and the processor's credits go.
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'books-order', gen_random_uuid(), 'shopify', 'orders/create', 'purchase', 'books-order',
        'books-order', 'books-other-session', 1000, 'USD', 'facebook_paid', '2026-10-10 12:00Z', '{}');
SELECT skeldir.recompute_attribution('2026-10-10', '2026-10-11', 'the shop''s order arrived', 43) AS third \gset
SELECT results_eq($$
  SELECT h.channel, h.change, h.job_id
    FROM skeldir.attribution_credit_history AS h JOIN skeldir.attribution_events AS e ON e.tenant_id = h.tenant_id AND e.id = h.event_id
   WHERE e.idempotency_key = 'books-purchase' AND h.job_id = 43 ORDER BY h.channel
$$, $$ VALUES ('email', 'withdrawn', 43::bigint), ('google_search_paid', 'withdrawn', 43::bigint) $$,
  'credits of a purchase no longer attributed are kept as withdrawn');
SELECT throws_ok($$ DELETE FROM skeldir.attribution_credit_history $$, '42501', NULL,
  'the history is append-only for the owner too');
RESET ROLE;
-- The superuser holds every privilege, but on Citus it may not touch the
-- history's placements once the owner wrote them in this transaction (nor
-- can a grant made here reach the owner's worker connections): so the
-- history's enabled triggers, exactly as defined, are put on a copy of it,
-- and the superuser deletes a row of that copy.
CREATE TEMP TABLE history_copy (LIKE skeldir.attribution_credit_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
DO $$
DECLARE
  d text;
BEGIN
  FOR d IN SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t
            WHERE t.tgrelid = 'skeldir.attribution_credit_history'::regclass AND NOT t.tgisinternal
              AND t.tgenabled IN ('O', 'A') LOOP
    EXECUTE replace(d, ' ON skeldir.attribution_credit_history ', ' ON pg_temp.history_copy ');
  END LOOP;
END
$$;
INSERT INTO history_copy (tenant_id, event_id, channel, currency, occurred_at, last_touch_cents, first_touch_cents,
                          linear_cents, time_decay_cents, position_based_cents, linear_ratio, time_decay_ratio,
                          position_based_ratio, model_version, change, reason, job_id)
VALUES (:'tenant_a', gen_random_uuid(), 'email', 'USD', '2026-10-10 12:00Z', 1000, 1000, 1000, 1000, 1000, 1, 1, 1, 'v1',
        'revised', 'a late touch', 42);
SELECT throws_like($$ DELETE FROM history_copy $$, '%append-only%',
  'and by its trigger for whoever holds the privilege');
DROP TABLE history_copy;

-- Turns: row locks on a table no runtime role may lock, through functions
-- none may call.
CREATE FUNCTION pg_temp.turns_taken_by(r text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  taken text[] := '{}';
BEGIN
  EXECUTE format('SET ROLE %I', r);
  BEGIN
    PERFORM FROM skeldir.turns AS t WHERE t.stripe = 1 FOR UPDATE;
    taken := taken || 'locked a stripe'::text;
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  BEGIN
    PERFORM skeldir.take_turns('recompute_attribution/' || gen_random_uuid());
    taken := taken || 'took a turn'::text;
  EXCEPTION WHEN insufficient_privilege THEN NULL;
  END;
  RESET ROLE;
  RETURN taken;
END
$$;
SELECT is(ARRAY(SELECT r || ': ' || array_to_string(pg_temp.turns_taken_by(r), ', ')
                  FROM unnest(ARRAY['skeldir_api', 'skeldir_worker', 'skeldir_admin', 'skeldir_readonly']) AS r
                 WHERE cardinality(pg_temp.turns_taken_by(r)) > 0), '{}'::text[],
  'no runtime role can take the product''s turns');
SELECT is((SELECT count(*) FROM skeldir.turns), 16384::bigint, 'the turns are a fixed set of stripes');
SET ROLE skeldir_owner;
SELECT ok(skeldir.try_take_turn('refresh_matview/x') AND skeldir.try_take_turn('refresh_matview/x'),
  'a turn the transaction holds is its own to take again');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
