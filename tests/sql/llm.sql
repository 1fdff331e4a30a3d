-- LLM-backed features without a provider (SPEC §6.3): one audit row per
-- request id however often a job runs, the monthly rollup equal to the audit,
-- the budget cap enforced before the call and its decision audited,
-- generators that are deterministic and cite the tenant's real numbers, and
-- tenants that never see each other's rows.
BEGIN;
\ir fixtures/two_tenants.sql
SELECT plan(57);

-- Tenant A's October: 60 purchases in sessions with earlier touches (about
-- two a day), a 50,000.00 USD facebook_paid purchase on 2026-10-20 (a spike),
-- every purchase captured in the ledger, and the two purchases of 2026-10-06
-- refunded that same day. Written as the owner in A's context, as the
-- product writes (on Citus one transaction touches a tenant's shards as one
-- user only).
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
\set tenant :tenant_a
\set purchases 60
\ir ../../scripts/sql/attribution_data.sql
INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
  external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
VALUES (:'tenant_a', 'spike', gen_random_uuid(), 'shopify', 'orders/create', 'purchase', 'spike', 'spike', 5000000, 'USD',
        'facebook_paid', '2026-10-20 12:00Z', '{}');
-- (The rows are returned: Citus writes an INSERT ... SELECT joined to
-- VALUES by COPY into the shard, which forced row-level security refuses.)
WITH written AS (
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at)
SELECT e.tenant_id, e.vendor, e.external_id, s.state, e.order_id, e.revenue_cents, e.currency, e.id,
       e.occurred_at + CASE s.state WHEN 'refunded' THEN interval '1 hour' ELSE interval '0' END
  FROM skeldir.attribution_events AS e
 CROSS JOIN (VALUES ('captured'::skeldir.ledger_state), ('refunded')) AS s(state)
 WHERE e.tenant_id = :'tenant_a' AND e.event_type = 'purchase' AND e.occurred_at >= '2026-10-01'
   AND (s.state = 'captured' OR e.external_id IN ('5-0', '35-0'))
RETURNING 1)
SELECT count(*) AS ledger_rows FROM written \gset
SELECT skeldir.recompute_attribution('2026-09-01', '2026-11-01') > 0 AS allocated \gset

\set october '{"date_range": {"start_date": "2026-10-01", "end_date": "2026-10-31"}}'

-- Generators: real values, cited.

SELECT skeldir.explain('channel_performance', 'email', :'october') AS email \gset
SELECT is((SELECT (c ->> 'value')::numeric FROM jsonb_array_elements((:'email'::jsonb) -> 'citations') AS c
            WHERE c ->> 'metric' = 'email_attributed_revenue'),
          (SELECT sum(a.allocated_cents) / 100.0 FROM skeldir.attribution_allocations AS a
            WHERE a.channel = 'email' AND a.model = 'linear' AND a.occurred_at >= '2026-10-01' AND a.occurred_at < '2026-11-01'),
          'an explanation cites the channel''s attributed revenue as the allocations sum it');
SELECT ok((:'email'::jsonb ->> 'explanation') LIKE '%' || (SELECT (c ->> 'value') FROM jsonb_array_elements((:'email'::jsonb) -> 'citations') AS c
                                                           WHERE c ->> 'metric' = 'email_attributed_revenue') || ' USD%'
          AND length(:'email'::jsonb ->> 'explanation') BETWEEN 100 AND 500,
          'the explanation''s text states the cited value, in 100 to 500 characters');
SELECT is(skeldir.explain('channel_performance', 'email', :'october') - 'cached', :'email'::jsonb - 'cached',
          'the same explanation again is the cached one');
SELECT is((skeldir.explain('channel_performance', 'email', :'october') ->> 'cached')::boolean, true,
          'and says it was served from the cache');

SELECT skeldir.start_investigation('What happened to revenue in October?', :'october') AS inv1 \gset
SELECT skeldir.start_investigation('What happened to revenue in October?', :'october') AS inv2 \gset
SELECT request_id AS inv1_request FROM skeldir.investigations WHERE id = :'inv1' \gset
SELECT request_id AS inv2_request FROM skeldir.investigations WHERE id = :'inv2' \gset
SELECT worker.llm_investigation(jsonb_build_object('investigation_id', :'inv1', 'request_id', :'inv1_request'), 0) \gset
SELECT worker.llm_investigation(jsonb_build_object('investigation_id', :'inv2', 'request_id', :'inv2_request'), 0) \gset
SELECT result AS inv1_result FROM skeldir.investigations WHERE id = :'inv1' \gset

SELECT is((:'inv1_result'::jsonb #>> '{totals,captured}')::numeric,
          (SELECT sum(l.amount_cents) / 100.0 FROM skeldir.revenue_ledger AS l
            WHERE l.state = 'captured' AND l.occurred_at >= '2026-10-01' AND l.occurred_at < '2026-11-01'),
          'an investigation reports the captured revenue the ledger holds');
SELECT is((:'inv1_result'::jsonb #>> '{totals,refund_rate_pct}')::numeric,
          (SELECT round(100.0 * sum(l.amount_cents) FILTER (WHERE l.state = 'refunded')
                        / sum(l.amount_cents) FILTER (WHERE l.state = 'captured'), 2)
             FROM skeldir.revenue_ledger AS l WHERE l.occurred_at >= '2026-10-01' AND l.occurred_at < '2026-11-01'),
          'and the refund rate of the ledger');
SELECT is((SELECT jsonb_agg(a ->> 'kind' ORDER BY a ->> 'day') FROM jsonb_array_elements(:'inv1_result'::jsonb -> 'anomalies') AS a
            WHERE a ->> 'day' IN ('2026-10-06', '2026-10-20')),
          '["refund_spike", "revenue_spike"]'::jsonb,
          'it finds the refunded day and the spike day as anomalies');
SELECT ok((SELECT bool_and(jsonb_array_length(f -> 'evidence') > 0) FROM jsonb_array_elements(:'inv1_result'::jsonb -> 'findings') AS f)
          AND (:'inv1_result'::jsonb ->> 'synthesis') LIKE '%2026-10-20 (revenue spike)%',
          'every finding carries evidence and the synthesis names the anomalies');
SELECT is((SELECT result - 'llm' FROM skeldir.investigations WHERE id = :'inv2')::text,
          (:'inv1_result'::jsonb - 'llm')::text,
          'two investigations of the same question and data produce byte-identical results');

SELECT skeldir.start_budget_optimization(10000, 'maximize_roas', :'october') AS budget1 \gset
SELECT request_id AS budget1_request FROM skeldir.budget_optimization_jobs WHERE id = :'budget1' \gset
SELECT worker.llm_budget_optimization(jsonb_build_object('budget_optimization_id', :'budget1', 'request_id', :'budget1_request'), 0) \gset
CREATE TEMP VIEW paid_revenue AS
  SELECT a.channel, sum(a.allocated_cents) AS cents, sum(sum(a.allocated_cents)) OVER () AS total
    FROM skeldir.attribution_allocations AS a JOIN skeldir.channel_taxonomy AS t ON t.code = a.channel AND t.is_paid
   WHERE a.model = 'linear' AND a.occurred_at >= '2026-10-01' AND a.occurred_at < '2026-11-01'
   GROUP BY a.channel;
SELECT skeldir.budget_recommendation(:'budget1') AS rec1 \gset
SELECT is((SELECT sum((a ->> 'recommended_budget')::numeric) FROM jsonb_array_elements(:'rec1'::jsonb -> 'allocations') AS a),
          10000.00, 'the recommended budgets add up to the total budget exactly');
SELECT is_empty(format($$
  SELECT p.channel, p.cents, a ->> 'recommended_budget'
    FROM paid_revenue AS p
    FULL JOIN jsonb_array_elements(%L::jsonb -> 'allocations') AS a ON a ->> 'channel' = p.channel
   WHERE p.channel IS NULL OR a IS NULL
      OR abs((a ->> 'recommended_budget')::numeric - 10000 * p.cents / p.total) > 0.01
      OR (a ->> 'attributed_revenue')::numeric <> p.cents / 100.0
$$, :'rec1'), 'the budget goes to the paid channels in proportion to the revenue attributed to them, which it cites');
SELECT ok(:'rec1'::jsonb ->> 'status' = 'complete' AND (:'rec1'::jsonb -> 'spend_data_available') = 'false'
          AND (:'rec1'::jsonb #> '{allocations,0,current_budget}') = 'null' AND (:'rec1'::jsonb #> '{allocations,0,expected_roas}') = 'null'
          AND (:'rec1'::jsonb ->> 'synthesis') LIKE '%No ad-spend data is available%',
          'without spend data the recommendation says so and invents no current budget or ROAS');
-- With spend reported: current budget = the last 30 days' spend, ROAS = revenue in the window / spend in it.
INSERT INTO skeldir.ad_spend (tenant_id, day, channel, currency, amount_cents)
VALUES (skeldir.current_tenant_id(), '2026-10-20', 'facebook_paid', 'USD', 10000),
       (skeldir.current_tenant_id(), '2026-10-05', 'facebook_paid', 'USD', 2000),
       (skeldir.current_tenant_id(), '2026-09-15', 'facebook_paid', 'USD', 5000);
SELECT skeldir.start_budget_optimization(10000, 'maximize_revenue', :'october'::jsonb) AS budget3 \gset
SELECT request_id AS budget3_request FROM skeldir.budget_optimization_jobs WHERE id = :'budget3' \gset
SELECT worker.llm_budget_optimization(jsonb_build_object('budget_optimization_id', :'budget3', 'request_id', :'budget3_request'), 0) \gset
SELECT skeldir.budget_recommendation(:'budget3') AS rec3 \gset
SELECT is((SELECT jsonb_build_array(a -> 'current_budget', a -> 'expected_roas')
             FROM jsonb_array_elements(:'rec3'::jsonb -> 'allocations') AS a WHERE a ->> 'channel' = 'facebook_paid'),
          (SELECT jsonb_build_array(120.00, round(p.cents / 12000.0, 2)) FROM paid_revenue AS p WHERE p.channel = 'facebook_paid'),
          'with spend, a channel''s current budget is its last 30 days of spend and its ROAS revenue over spend in the window');
SELECT ok((:'rec3'::jsonb -> 'spend_data_available') = 'true' AND (:'rec3'::jsonb ->> 'synthesis') LIKE '%facebook_paid 120.00 (ROAS%',
          'the synthesis cites the spend and ROAS');
SELECT skeldir.start_budget_optimization(10000, 'maximize_roas', :'october'::jsonb || '{"channel_maximums": {"facebook_paid": 2000}}') AS budget2 \gset
SELECT request_id AS budget2_request FROM skeldir.budget_optimization_jobs WHERE id = :'budget2' \gset
SELECT worker.llm_budget_optimization(jsonb_build_object('budget_optimization_id', :'budget2', 'request_id', :'budget2_request'), 0) \gset
SELECT skeldir.budget_recommendation(:'budget2') AS rec2 \gset
SELECT is((SELECT jsonb_build_array(sum((a ->> 'recommended_budget')::numeric),
                                    max((a ->> 'recommended_budget')::numeric) FILTER (WHERE a ->> 'channel' = 'facebook_paid'))
             FROM jsonb_array_elements(:'rec2'::jsonb -> 'allocations') AS a),
          '[10000.00, 2000.00]'::jsonb, 'a channel held at its maximum gives the rest to the others, and the total stays exact');

-- Every entity type of the contract is explained (the reconciliation
-- discrepancies in reconciliation.sql, beside the runs that find them).
CREATE TEMP TABLE explained (what text, body jsonb);
INSERT INTO explained VALUES ('channel by code', :'email'::jsonb);
SELECT skeldir.explain('channel_performance', skeldir.channel_id('email')::text, :'october') AS email_by_id \gset
INSERT INTO explained VALUES ('channel by id', :'email_by_id'::jsonb);
SELECT is(jsonb_build_array(:'email_by_id'::jsonb -> 'explanation', :'email_by_id'::jsonb ->> 'entity_id'),
          jsonb_build_array(:'email'::jsonb -> 'explanation', skeldir.channel_id('email')),
          'a channel is explained by its stable id (UUID v5 of its code) as by its code, and the answer names the id asked for');
SELECT is(skeldir.channel_id('email'), skeldir.uuid_v5(skeldir.namespace_url(), 'urn:skeldir:channel:email'),
          'a channel''s id is the UUID v5 of urn:skeldir:channel:<code>');
SELECT throws_ok($$SELECT skeldir.explain('channel_performance', '00000000-0000-0000-0000-000000000000')$$, 'P0002',
                 'no channel has id 00000000-0000-0000-0000-000000000000', 'a UUID that is no channel''s id is not found');
-- (The purchase found first: Citus would push a call in a query of a
-- distributed table down to its shard, where it cannot query others.)
SELECT e.id AS spike_event FROM skeldir.attribution_events AS e WHERE e.tenant_id = :'tenant_a' AND e.external_id = 'spike' \gset
INSERT INTO explained VALUES ('purchase', skeldir.explain('attribution_score', :'spike_event'));

SELECT skeldir.explain('budget_recommendation', :'budget1') AS budget_expl \gset
INSERT INTO explained VALUES ('budget', :'budget_expl'::jsonb), ('budget with spend', skeldir.explain('budget_recommendation', :'budget3')),
                             ('budget at a maximum', skeldir.explain('budget_recommendation', :'budget2'));
SELECT is_empty(format($$
  SELECT a ->> 'channel' FROM jsonb_array_elements(%L::jsonb -> 'allocations') AS a
   WHERE NOT EXISTS (SELECT FROM jsonb_array_elements(%L::jsonb -> 'citations') AS c
                      WHERE c ->> 'metric' = (a ->> 'channel') || '_recommended_budget' AND c -> 'value' = a -> 'recommended_budget')
$$, :'rec1', :'budget_expl'), 'a budget recommendation''s explanation cites every channel''s recommended budget as the recommendation holds it');
SELECT ok((:'budget_expl'::jsonb ->> 'explanation') LIKE 'This recommendation for maximize_roas splits the 10000.00 USD budget across %',
          'and states the budget it splits');
SELECT is((SELECT jsonb_build_array(c.feature, c.decision) FROM skeldir.llm_api_calls AS c
            WHERE c.request_id = (:'budget_expl'::jsonb ->> 'request_id')::uuid),
          '["explanation", "allow"]'::jsonb, 'the explanation is an audited LLM call, as every explanation is');
SELECT is((skeldir.explain('budget_recommendation', :'budget1') ->> 'cached')::boolean, true,
          'and the same recommendation again is served from the cache');
SELECT skeldir.start_budget_optimization(5000, 'maximize_revenue', :'october') AS budget4 \gset
SELECT throws_ok(format('SELECT skeldir.explain(%L, %L)', 'budget_recommendation', :'budget4'), 'P0002',
                 format('budget optimization %s is still running: its recommendation can be explained once GET /api/budget/recommendations/%s answers complete',
                        :'budget4', :'budget4'),
                 'an optimization still running has no recommendation to explain yet: not found, saying so');
UPDATE skeldir.budget_optimization_jobs SET status = 'failed', error = 'injected failure'
 WHERE tenant_id = :'tenant_a' AND id = :'budget4';
SELECT throws_ok(format('SELECT skeldir.explain(%L, %L)', 'budget_recommendation', :'budget4'), 'P0002',
                 format('budget optimization %s failed (injected failure), so there is no recommendation to explain', :'budget4'),
                 'nor has a failed one, which says why');
SELECT throws_ok($$SELECT skeldir.explain('budget_recommendation', 'five')$$, '22023', NULL,
                 'a budget recommendation is named by its optimization''s UUID');

-- What the contract requires of every explanation's text and citations.
SELECT is((SELECT count(*) FROM explained), 6::bigint, 'six explanations to check: two channels, a purchase, three recommendations');
SELECT is_empty($$ SELECT what, length(body ->> 'explanation') FROM explained
                    WHERE length(body ->> 'explanation') NOT BETWEEN 150 AND 500 $$,
                'every explanation is 150 to 500 characters (both contract bounds)');
SELECT is_empty($$ SELECT what, c FROM explained, jsonb_array_elements(body -> 'citations') AS c
                    WHERE jsonb_typeof(c -> 'value') <> 'number' OR c ->> 'source' !~ '^[a-z_]+\.[a-z_]+$'
                       OR coalesce(c ->> 'metric', '') = '' $$,
                'every citation is a metric with a number and its table.column');
-- Numbers of the text: not dates, not quoted identifiers.
SELECT is_empty($$ SELECT what, n[1] FROM explained,
                    regexp_matches(regexp_replace(regexp_replace(body ->> 'explanation', '"[^"]*"', '', 'g'),
                                                  '\d{4}-\d{2}-\d{2}', '', 'g'), '(\d+(\.\d+)?)', 'g') AS n
                    WHERE NOT EXISTS (SELECT FROM jsonb_array_elements(body -> 'citations') AS c
                                       WHERE (c ->> 'value')::numeric = n[1]::numeric) $$,
                'every number an explanation states is one of its citations');

-- Investigation evidence is a number, even where a rate would divide by
-- zero: a refund in November, when nothing was captured.
WITH written AS (
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at)
SELECT e.tenant_id, e.vendor, 'late-refund', 'refunded', e.order_id, 1000, 'USD', e.id, '2026-11-03 12:00Z'
  FROM skeldir.attribution_events AS e WHERE e.tenant_id = :'tenant_a' AND e.external_id = 'spike'
RETURNING 1)
SELECT count(*) AS late_refund FROM written \gset
SELECT skeldir.start_investigation('What happened to refunds in early November?',
                                   '{"date_range": {"start_date": "2026-11-01", "end_date": "2026-11-05"}}') AS inv5 \gset
SELECT request_id AS inv5_request FROM skeldir.investigations WHERE id = :'inv5' \gset
SELECT worker.llm_investigation(jsonb_build_object('investigation_id', :'inv5', 'request_id', :'inv5_request'), 0) \gset
SELECT skeldir.investigation_status(:'inv5') AS inv5_status \gset
SELECT is_empty(format($$ SELECT f ->> 'finding', e FROM jsonb_array_elements(%L::jsonb -> 'findings') AS f,
                                 jsonb_array_elements(f -> 'evidence') AS e
                           WHERE jsonb_typeof(e -> 'value') IS DISTINCT FROM 'number' $$, :'inv5_status'),
                'every evidence value is a number, also for a refund spike on a day without captures');
SELECT is((SELECT jsonb_agg(e ORDER BY e ->> 'metric') FROM jsonb_array_elements(:'inv5_status'::jsonb -> 'findings') AS f,
                  jsonb_array_elements(f -> 'evidence') AS e
            WHERE f ->> 'finding' LIKE '2026-11-03: refunds of%'),
          '[{"value": 0.00, "metric": "captured_revenue_2026-11-03", "source": "revenue_ledger.amount_cents"},
            {"value": 10.00, "metric": "refunded_revenue_2026-11-03", "source": "revenue_ledger.amount_cents"}]'::jsonb,
          'whose evidence is the day''s refunds and its captured revenue, 0, instead of a refund rate over nothing');

-- Bad input is refused up front, naming what is wrong.
SELECT throws_ok($$SELECT skeldir.start_investigation('why?')$$, '22023', 'question must be 10 to 500 characters',
                 'a question too short to investigate is refused');
SELECT throws_ok($$SELECT skeldir.start_budget_optimization(5000, 'maximize_revenue', '{"channel_minimums": {"organic": 10}}')$$,
                 '22023', 'constraints must map paid channels to non-negative amounts: channel_minimums.organic do not',
                 'a budget constraint on a channel that is not paid is refused');
SELECT throws_ok($$SELECT skeldir.explain('roas', 'email')$$, '22023', NULL, 'an unknown entity type is refused');

-- Idempotency: one audit row per request id.

SELECT worker.llm_investigation(jsonb_build_object('investigation_id', :'inv1', 'request_id', :'inv1_request'), 0) \gset
SELECT is((SELECT count(*) FROM skeldir.llm_api_calls WHERE request_id = :'inv1_request'), 1::bigint,
          'an investigation job run twice with its request id leaves one audit row');
SELECT is((SELECT result FROM skeldir.investigations WHERE id = :'inv1'), :'inv1_result'::jsonb,
          'and its result unchanged');

SELECT skeldir.llm_call('explanation', '00000000-0000-0000-0000-00000000e001', '{"feature": "explanation", "facts": {"entity_type": "channel_performance", "channel_name": "Email", "purchases": 7}}') AS call1 \gset
SELECT calls AS calls_before FROM skeldir.llm_monthly_costs \gset
SELECT is(skeldir.llm_call('explanation', '00000000-0000-0000-0000-00000000e001', '{"feature": "explanation", "facts": {"changed": true}}'),
          :'call1'::jsonb, 'a second call with the same request id returns the stored answer without calling again');
SELECT is((SELECT calls FROM skeldir.llm_monthly_costs), :'calls_before'::bigint, 'and is not counted again');

SELECT worker.llm_explanation(jsonb_build_object('entity_type', 'channel_performance', 'entity_id', 'organic',
                                                 'options', :'october'::jsonb, 'request_id', r), 0),
       worker.llm_explanation(jsonb_build_object('entity_type', 'channel_performance', 'entity_id', 'organic',
                                                 'options', :'october'::jsonb, 'request_id', r), 0)
  FROM (VALUES ('00000000-0000-0000-0000-00000000e002'::uuid)) AS x(r) \gset
SELECT is((SELECT count(*) FROM skeldir.llm_api_calls WHERE request_id = '00000000-0000-0000-0000-00000000e002'), 1::bigint,
          'an explanation job run twice with its request id leaves one audit row');

-- A job whose transaction fails after the audit write: the failed attempt
-- leaves nothing, the retry writes the one row. The failure is injected
-- where the job's transaction marks the job completed, after its body: Citus
-- takes no trigger on a distributed table (the investigations), and the
-- queue's jobs are a plain table on the coordinator. By then the body has
-- left the tenant's context, which the trigger sets again to count.
CREATE FUNCTION pg_temp.test_fail_on_completion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM skeldir.set_tenant_context(NEW.tenant_scope::text, true);
  RAISE EXCEPTION 'injected failure after % audit row(s)',
    (SELECT count(*) FROM skeldir.llm_api_calls AS c
      WHERE c.tenant_id = NEW.tenant_scope AND c.request_id = (NEW.args ->> 'request_id')::uuid);
END
$$;
CREATE TRIGGER test_fail_on_completion BEFORE UPDATE ON skeldir.jobs
  FOR EACH ROW WHEN (NEW.state = 'completed') EXECUTE FUNCTION pg_temp.test_fail_on_completion();
SELECT skeldir.start_investigation('Which channel drove revenue in October?', :'october') AS inv3 \gset
SELECT job_id AS inv3_job, request_id AS inv3_request FROM skeldir.investigations WHERE id = :'inv3' \gset
SELECT count(*) AS claimed FROM worker.claim('llm', 100, 'w1') \gset
SELECT throws_ok(format('SELECT worker.execute(%s, %L)', :'inv3_job', 'w1'), 'P0001', 'injected failure after 1 audit row(s)',
                 'the first attempt fails after writing its audit row');
SELECT is(worker.fail(:'inv3_job', 'w1', 'P0001', 'injected'), 'retried', 'the failed attempt is retried');
DROP TRIGGER test_fail_on_completion ON skeldir.jobs;
UPDATE skeldir.jobs SET run_at = now() WHERE id = :'inv3_job';
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
SELECT count(*) AS claimed FROM worker.claim('llm', 100, 'w2') \gset
SELECT worker.execute(:'inv3_job', 'w2') \gset
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
SELECT is((SELECT jsonb_build_array(i.status, j.state, j.attempt,
                                    (SELECT count(*) FROM skeldir.llm_api_calls AS c
                                      WHERE c.tenant_id = i.tenant_id AND c.request_id = i.request_id))
             FROM skeldir.investigations AS i JOIN skeldir.jobs AS j ON j.id = i.job_id WHERE i.id = :'inv3'),
          '["completed", "completed", 2, 1]'::jsonb,
          'the retry completes the investigation with exactly one audit row for its request id');
SELECT is(skeldir.investigation_status(:'inv3') ->> 'status', 'complete', 'its status reads complete');

-- The monthly cap, checked before the call, with a priced test model (the
-- models belong to the owner).
INSERT INTO skeldir.llm_models (model, provider, body, micros_per_1k_tokens, max_completion_tokens)
VALUES ('test-priced-v1', 'test', 'skeldir.llm_deterministic_v1', 1000000, 1024);
SELECT skeldir.set_tenant_context('', true) AS no_context \gset
SET ROLE skeldir_admin;
SELECT is(admin.set_llm_budget_cap(:'tenant_a', 100000000, 'block', 'test-priced-v1') ->> 'monthly_cap_micros',
          '100000000', 'an operator sets an existing tenant''s cap');
SELECT throws_ok($$ SELECT admin.set_llm_budget_cap('00000000-0000-0000-0000-0000000000ff', 1, 'block') $$, 'P0002', NULL,
                 'a cap for a tenant that does not exist is refused');
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
SELECT skeldir.llm_call('investigation', '00000000-0000-0000-0000-00000000c001', '{"feature": "investigation", "facts": {"scope": {}, "totals": {}, "anomalies": [], "top_channels": []}}') AS priced \gset
SELECT ok(:'priced'::jsonb ->> 'decision' = 'allow' AND (:'priced'::jsonb ->> 'cost_micros')::bigint > 0,
          'under its cap a tenant''s call goes to its priced model and costs something');
SELECT admin.set_llm_budget_cap(:'tenant_a', (SELECT cost_micros + 1 FROM skeldir.llm_monthly_costs WHERE tenant_id = :'tenant_a'), 'block', 'test-priced-v1') \gset
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
SELECT skeldir.start_investigation('Did refunds spike in October?', :'october') AS inv4 \gset
SELECT request_id AS inv4_request FROM skeldir.investigations WHERE id = :'inv4' \gset
SELECT worker.llm_investigation(jsonb_build_object('investigation_id', :'inv4', 'request_id', :'inv4_request'), 0) \gset
SELECT is((SELECT jsonb_build_array(c.decision, c.model, c.cost_micros, c.response) FROM skeldir.llm_api_calls AS c WHERE c.request_id = :'inv4_request'),
          '["block", "test-priced-v1", 0, null]'::jsonb, 'over its cap a blocking tenant''s call is blocked before the call, and audited');
SELECT is((SELECT jsonb_build_array(i.status, i.error LIKE 'llm budget exceeded: monthly cap exceeded%') FROM skeldir.investigations AS i WHERE i.id = :'inv4'),
          '["failed", true]'::jsonb, 'and the investigation fails, saying why');
SELECT admin.set_llm_budget_cap(:'tenant_a', (SELECT cost_micros + 1 FROM skeldir.llm_monthly_costs WHERE tenant_id = :'tenant_a'), 'fallback', 'test-priced-v1') \gset
SELECT skeldir.set_tenant_context(:'tenant_a', true) \gset
SELECT skeldir.explain('channel_performance', 'tiktok_paid', :'october', '00000000-0000-0000-0000-00000000c002') AS fell_back \gset
SELECT is((SELECT jsonb_build_array(c.decision, c.requested_model, c.model, c.cost_micros) FROM skeldir.llm_api_calls AS c WHERE c.request_id = '00000000-0000-0000-0000-00000000c002'),
          '["fallback", "test-priced-v1", "deterministic-v1", 0]'::jsonb,
          'over its cap a fallback tenant''s call goes to the free model, and the audit says so');
SELECT ok(length(:'fell_back'::jsonb ->> 'explanation') > 100, 'and the explanation is still served');

-- The rollup is the audit's sum, month by month, across every decision,
-- for every tenant: read as the owner in each tenant's context in turn (on
-- Citus the superuser may not read the rows the owner wrote in this
-- transaction).
CREATE FUNCTION pg_temp.rollup_mismatches() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('app.current_tenant_id', true);
  t uuid;
BEGIN
  FOREACH t IN ARRAY skeldir.tenant_ids() LOOP
    PERFORM skeldir.set_tenant_context(t::text, true);
    RETURN QUERY
      SELECT format('%s %s: audit %s, rollup %s', x.tenant_id, x.month, audit, m)
        FROM (SELECT a.tenant_id, a.month, count(*) AS calls, count(*) FILTER (WHERE a.decision = 'block') AS blocked,
                     count(*) FILTER (WHERE a.decision = 'fallback') AS fallback, sum(a.prompt_tokens) AS prompt_tokens,
                     sum(a.completion_tokens) AS completion_tokens, sum(a.cost_micros) AS cost
                FROM skeldir.llm_api_calls AS a WHERE a.tenant_id = t GROUP BY a.tenant_id, a.month) AS audit
        FULL JOIN (SELECT * FROM skeldir.llm_monthly_costs AS c WHERE c.tenant_id = t) AS m USING (tenant_id, month)
       CROSS JOIN LATERAL (SELECT coalesce(audit.tenant_id, m.tenant_id) AS tenant_id,
                                  coalesce(audit.month, m.month) AS month) AS x
       WHERE (audit.calls, audit.blocked, audit.fallback, audit.prompt_tokens, audit.completion_tokens, audit.cost)
             IS DISTINCT FROM (m.calls, m.blocked_calls, m.fallback_calls, m.prompt_tokens, m.completion_tokens, m.cost_micros);
  END LOOP;
  PERFORM skeldir.set_tenant_context(coalesce(saved, ''), true);
END
$$;
SELECT is_empty('SELECT * FROM pg_temp.rollup_mismatches()',
                'llm_monthly_costs equals the sum of llm_api_calls for every tenant and month');
-- (Read first: Citus would run a check on A's rows on A's shard, where
-- pgTAP's state is not.)
SELECT (SELECT blocked_calls > 0 AND fallback_calls > 0 AND cost_micros > 0 FROM skeldir.llm_monthly_costs WHERE tenant_id = :'tenant_a')
       AS rollup_covers \gset
SELECT ok(:'rollup_covers' = 't', 'the rollup checked covers blocked, fallback and paid calls');

-- Tenant B never sees tenant A's rows.
SET ROLE skeldir_owner;
SELECT skeldir.set_tenant_context(:'tenant_b', true) \gset
-- (Counted first: Citus would run a check on A's rows on A's shard, where
-- pgTAP's state is not.)
SELECT (SELECT count(*) FROM skeldir.llm_api_calls WHERE tenant_id = :'tenant_a')
       + (SELECT count(*) FROM skeldir.investigations WHERE tenant_id = :'tenant_a')
       + (SELECT count(*) FROM skeldir.budget_optimization_jobs WHERE tenant_id = :'tenant_a')
       + (SELECT count(*) FROM skeldir.explanation_cache WHERE tenant_id = :'tenant_a')
       + (SELECT count(*) FROM skeldir.llm_monthly_costs WHERE tenant_id = :'tenant_a')
       + (SELECT count(*) FROM skeldir.llm_budget_caps WHERE tenant_id = :'tenant_a') AS a_rows_seen_by_b \gset
SELECT is(:'a_rows_seen_by_b'::bigint, 0::bigint, 'tenant B sees none of tenant A''s LLM rows');
SELECT ok(skeldir.investigation_status(:'inv1') IS NULL AND skeldir.budget_recommendation(:'budget1') IS NULL,
          'nor A''s investigations or recommendations through the status functions');
SELECT skeldir.llm_call('explanation', '00000000-0000-0000-0000-00000000e001', '{"feature": "explanation", "facts": {"entity_type": "channel_performance", "channel_name": "Email", "purchases": 7}}') AS b_call \gset
SELECT is((SELECT array_agg(tenant_id) FROM skeldir.llm_api_calls WHERE request_id = '00000000-0000-0000-0000-00000000e001'),
          ARRAY[:'tenant_b'::uuid], 'B reusing A''s request id makes a call of its own, audited as B''s, not a replay of A''s');
SELECT throws_ok(format($$SELECT worker.llm_investigation(%L, 0)$$, jsonb_build_object('investigation_id', :'inv1', 'request_id', :'inv1_request')),
                 '22023', NULL, 'a job body run in B''s context cannot reach A''s investigation');

RESET ROLE;
-- A job that used every attempt answers in our words, not PostgreSQL's.
RESET ROLE;
INSERT INTO skeldir.jobs (kind, queue, args, tenant_scope, state, last_error)
VALUES ('llm.budget_optimization', 'llm', '{}', :'tenant_a', 'dead', 'ERROR: bigint out of range (SQLSTATE 22003)')
RETURNING id AS dead_job \gset
SELECT is((SELECT s.status || ': ' || s.error FROM skeldir.llm_job_standing('pending', NULL, :dead_job, :'tenant_a') AS s),
          'failed: the request could not be completed; quote its id to support',
          'a failed job''s answer carries no SQL text');

SELECT * FROM finish();
ROLLBACK;
