-- Coordination no login can seize (issue 13): who leads the scheduler and
-- the change feed, and which dispatchers are alive, live in tables that only
-- skeldir_worker's functions write. Election with expiry and re-election,
-- resignation, the change feed's start guarded by its lease, and the lease
-- reaper handing back the jobs of a dispatcher that stopped beating without
-- waiting for their leases. (That the reaper leaves a job alone whose row a
-- running transaction holds needs a second session: cmd/skeldird's
-- TestTheReaperLeavesARunningJobAloneWhateverItsDispatchersHeartbeat.)
BEGIN;
SELECT plan(57);

-- now() is this transaction's start throughout: leases run out here because
-- rows are moved into the past, not because time passes.

-- Election.
SELECT ok(worker.elect('scheduler', 'a', '5 seconds'), 'the first candidate is elected');
SELECT is((SELECT leader_id FROM skeldir.leaders WHERE name = 'scheduler'), 'a', 'its row names it');
SELECT is((SELECT expires_at FROM skeldir.leaders WHERE name = 'scheduler'), now() + interval '5 seconds',
          'its lease lasts the ttl');
SELECT ok(NOT worker.elect('scheduler', 'b', '5 seconds'), 'a second candidate is refused while the lease is fresh');
SELECT is((SELECT leader_id FROM skeldir.leaders WHERE name = 'scheduler'), 'a', 'and the lease stays the leader''s');
UPDATE skeldir.leaders SET elected_at = now() - interval '1 minute' WHERE name = 'scheduler';
SELECT ok(worker.elect('scheduler', 'a', '20 seconds'), 'the leader is re-elected');
SELECT is((SELECT expires_at FROM skeldir.leaders WHERE name = 'scheduler'), now() + interval '20 seconds',
          're-election extends the lease');
SELECT is((SELECT elected_at FROM skeldir.leaders WHERE name = 'scheduler'), now() - interval '1 minute',
          're-election keeps when the leader took over');
SELECT ok(NOT worker.elect('scheduler', 'b', '5 seconds'), 'a candidate is still refused before the extended lease runs out');

-- Expiry.
UPDATE skeldir.leaders SET expires_at = now() - interval '1 second' WHERE name = 'scheduler';
SELECT ok(worker.elect('scheduler', 'b', '5 seconds'), 'once the lease ran out, another candidate is elected');
SELECT is((SELECT leader_id || ' ' || (elected_at = now()) FROM skeldir.leaders WHERE name = 'scheduler'), 'b true',
          'the lease changed hands, and says when');
SELECT ok(NOT worker.elect('scheduler', 'a', '5 seconds'), 'the former leader is refused');

-- Resignation.
SELECT ok(NOT worker.resign('scheduler', 'a'), 'a former leader cannot end its successor''s lease');
SELECT is((SELECT leader_id FROM skeldir.leaders WHERE name = 'scheduler'), 'b', 'which stays');
SELECT ok(worker.resign('scheduler', 'b'), 'the leader resigns');
SELECT is_empty($$SELECT FROM skeldir.leaders WHERE name = 'scheduler'$$, 'resigning ends the lease');
SELECT ok(worker.elect('scheduler', 'a', '5 seconds'), 'after a resignation a candidate is elected at once');

-- Each leadership is its own; the bounds.
SELECT ok(worker.elect('change_feed', 'b', '15 seconds'), 'the change feed is led apart from the scheduler');
SELECT throws_ok($$SELECT worker.elect('scheduler', 'a', '0.5 seconds')$$, '22023', NULL, 'a lease under a second is refused');
SELECT throws_ok($$SELECT worker.elect('scheduler', 'a', '1 hour')$$, '22023', NULL, 'a lease over five minutes is refused');
SELECT throws_ok($$SELECT worker.elect('scheduler', 'a', NULL)$$, '22023', NULL, 'a lease needs a length');
SELECT throws_ok($$SELECT worker.elect('janitor', 'a', '5 seconds')$$, '23514', NULL, 'only the known leaderships exist');

-- The change feed starts only under its lease.
SELECT throws_ok($$SELECT worker.change_feed_start('a')$$, '55000', 'a does not lead the change feed',
                 'a daemon that does not lead the change feed cannot start it (leading the scheduler is not enough)');
SELECT throws_ok($$SELECT worker.change_feed_start('nobody')$$, '55000', NULL, 'nor can a daemon that never ran');
SELECT isnt(worker.change_feed_start('b'), NULL, 'its leader starts it');
SELECT is((SELECT mode || ' ' || leader FROM skeldir.change_feed), 'feed b', 'and the feed names it');
UPDATE skeldir.leaders SET expires_at = now() - interval '1 second' WHERE name = 'change_feed';
SELECT throws_ok($$SELECT worker.change_feed_start('b')$$, '55000', NULL, 'a leader whose lease ran out cannot start it again');
SELECT ok(worker.elect('change_feed', 'c', '15 seconds'), 'another daemon is elected');
SELECT isnt(worker.change_feed_start('c'), NULL, 'and starts the feed');
SELECT throws_ok($$SELECT worker.change_feed_apply('b', '[]')$$, '55000', NULL,
                 'the replaced leader can no longer apply');

-- Only skeldir_worker runs for office, beats, or starts the feed; nobody
-- touches the tables but through those functions.
CREATE FUNCTION pg_temp.attempt(role text, statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', role);
  EXECUTE statement;
  RESET ROLE;
  RETURN 'succeeded';
EXCEPTION WHEN OTHERS THEN
  RESET ROLE;
  RETURN SQLSTATE;
END
$$;
SELECT is_empty($$
  SELECT r, f FROM unnest(ARRAY['skeldir_api', 'skeldir_admin', 'skeldir_readonly', 'public']) AS r,
                   unnest(ARRAY['worker.elect(text, text, interval)', 'worker.resign(text, text)',
                                'worker.beat(text, interval)', 'worker.change_feed_start(text)']) AS f
   WHERE has_function_privilege(r, f, 'EXECUTE')
$$, 'no role but skeldir_worker may elect, resign, beat or start the feed');
SELECT is_empty($$
  SELECT r, t, p FROM unnest(ARRAY['skeldir_api', 'skeldir_admin', 'skeldir_readonly', 'skeldir_worker', 'public']) AS r,
                      unnest(ARRAY['skeldir.leaders', 'skeldir.dispatchers']) AS t,
                      unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
   WHERE has_table_privilege(r, t, p)
$$, 'no runtime role holds any privilege on the leaders or the dispatchers');
SELECT is(pg_temp.attempt(r, s), '42501', format('%s cannot %s', r, a))
  FROM unnest(ARRAY['skeldir_api', 'skeldir_admin', 'skeldir_readonly']) AS r,
       (VALUES ('run for the scheduler',   $$SELECT worker.elect('scheduler', 'intruder', '5 minutes')$$),
               ('read the leaders',        $$SELECT count(*) FROM skeldir.leaders$$),
               ('take the feed''s lease',   $$UPDATE skeldir.leaders SET leader_id = 'intruder'$$)) AS x(a, s)
 ORDER BY r, x.a;
SELECT is(pg_temp.attempt('skeldir_worker', $$INSERT INTO skeldir.leaders VALUES ('scheduler', 'x', now(), now() + '1 hour')$$),
          '42501', 'skeldir_worker cannot write a lease but through worker.elect');
SELECT is(pg_temp.attempt('skeldird_worker', $$SELECT worker.elect('scheduler', 'a', '5 seconds')$$), 'succeeded',
          'the worker''s login runs for office');

-- Heartbeats: worker.beat, and every claim that leases something.
DELETE FROM skeldir.jobs;
DELETE FROM skeldir.dispatchers;
SELECT is(worker.beat('w', '10 seconds'), now() + interval '10 seconds', 'a beat keeps its dispatcher alive for the ttl');
SELECT throws_ok($$SELECT worker.beat('w', '0 seconds')$$, '22023', NULL, 'a beat needs a sane ttl');
INSERT INTO skeldir.jobs (kind, queue) VALUES ('housekeeping.prune_jobs', 'housekeeping');
SELECT is((SELECT count(*) FROM worker.claim('housekeeping', 10, 'claimer')), 1::bigint, 'a dispatcher leases a job');
SELECT is((SELECT expires_at FROM skeldir.dispatchers WHERE id = 'claimer'), now() + interval '10 seconds',
          'the claim registered it, alive for ten seconds');
SELECT is((SELECT count(*) FROM worker.claim('housekeeping', 10, 'idle')), 0::bigint, 'a claim may find nothing');
SELECT is_empty($$SELECT FROM skeldir.dispatchers WHERE id = 'idle'$$, 'and then writes nothing');
UPDATE skeldir.dispatchers SET expires_at = now() - interval '1 minute' WHERE id = 'claimer';
INSERT INTO skeldir.jobs (kind, queue) VALUES ('housekeeping.prune_jobs', 'housekeeping');
SELECT is((SELECT count(*) FROM worker.claim('housekeeping', 10, 'claimer')), 1::bigint, 'a silent dispatcher claims again');
SELECT is((SELECT expires_at FROM skeldir.dispatchers WHERE id = 'claimer'), now() + interval '10 seconds',
          'and is alive again: it never holds a lease with an expired row');
SELECT worker.beat('claimer', '1 minute') \gset
INSERT INTO skeldir.jobs (kind, queue) VALUES ('housekeeping.prune_jobs', 'housekeeping');
SELECT is((SELECT count(*) FROM worker.claim('housekeeping', 10, 'claimer')), 1::bigint, 'a dispatcher claims once more');
SELECT is((SELECT expires_at FROM skeldir.dispatchers WHERE id = 'claimer'), now() + interval '1 minute',
          'a claim does not shorten a longer beat');

-- The reaper: running jobs whose dispatcher is silent, or unknown, come back
-- although their leases run for minutes yet; a live dispatcher's stay.
DELETE FROM skeldir.jobs;
DELETE FROM skeldir.dispatchers;
INSERT INTO skeldir.dispatchers (id, expires_at) VALUES
  ('alive', now() + interval '10 seconds'), ('silent', now() - interval '1 second'),
  ('long gone', now() - interval '2 hours'), ('gone a while', now() - interval '30 minutes');
INSERT INTO skeldir.jobs (kind, queue, args, state, attempt, started_at, leased_by, leased_until)
SELECT 'housekeeping.prune_jobs', 'housekeeping', jsonb_build_object('case', c), 'running', 1, now() - interval '1 minute', d, u
  FROM (VALUES ('alive',         'alive',   now() + interval '5 minutes'),
               ('silent',        'silent',  now() + interval '5 minutes'),
               ('unknown',       'unknown', now() + interval '5 minutes'),
               ('lease ran out', 'alive',   now() - interval '1 second')) AS x(c, d, u);
SELECT is(skeldir.reap_expired_leases(), 3, 'the reaper hands back three jobs');
SELECT results_eq($$SELECT args ->> 'case', state::text, coalesce(last_error, '') FROM skeldir.jobs ORDER BY 1$$,
  $$VALUES ('alive', 'running', ''),
           ('lease ran out', 'available', 'the lease expired: its dispatcher stopped'),
           ('silent', 'available', 'its dispatcher stopped beating before the lease expired'),
           ('unknown', 'available', 'its dispatcher stopped beating before the lease expired')$$,
  'a silent or unknown dispatcher''s jobs come back before their leases run out; a live one''s stay, unless the lease ran out');
SELECT results_eq($$SELECT id FROM skeldir.dispatchers ORDER BY 1$$,
                  $$VALUES ('alive'), ('gone a while'), ('silent')$$,
                  'dispatchers gone over an hour, naming no running job, are pruned');
SELECT is(skeldir.reap_expired_leases(), 0, 'reaping again hands back nothing');

SELECT * FROM finish();
ROLLBACK;
