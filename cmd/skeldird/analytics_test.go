package main_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/skeldir/skeldir/internal/testdb"
)

// session opens a connection of its own as the superuser (a pool would
// share connections, and these tests need each one to be a separate
// backend), closed when the test ends.
func session(t *testing.T, db *testdb.DB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), db.URL(testdb.Superuser))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// ownerSession is a session as the job bodies run: skeldir_owner, under
// forced row-level security, with tenant in context (or none when "").
func ownerSession(t *testing.T, db *testdb.DB, tenant string) *pgx.Conn {
	t.Helper()
	c := session(t, db)
	if _, err := c.Exec(context.Background(), "SET ROLE skeldir_owner"); err != nil {
		t.Fatal(err)
	}
	if tenant != "" {
		if _, err := c.Exec(context.Background(), "SELECT set_config('app.current_tenant_id', $1, false)", tenant); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func backendPID(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	var pid int
	if err := c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func refreshStat(t *testing.T, db *testdb.DB, view, outcome string) int {
	t.Helper()
	return count(t, db, "SELECT coalesce(sum(refreshes), 0)::int FROM skeldir.matview_refresh_stats WHERE view_name = $1 AND outcome = $2",
		view, outcome)
}

func TestConcurrentRefreshesOfOneViewRunOnceAndSkipTheRest(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	const view = "mv_reconciliation_status"

	// The first refresh holds its transaction open, so the nine others
	// certainly arrive while it is under way.
	first := ownerSession(t, db, "")
	others := make([]*pgx.Conn, 9)
	for i := range others {
		others[i] = ownerSession(t, db, "")
	}
	tx, err := first.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var outcome string
	if err := tx.QueryRow(ctx, "SELECT skeldir.refresh_matview($1)", view).Scan(&outcome); err != nil || outcome != "refreshed" {
		t.Fatalf("first refresh: %q, %v", outcome, err)
	}

	// A refresh that queued behind the first instead of skipping would wait
	// for a commit that comes only after all nine answer: give up on it.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	outcomes := make([]string, len(others))
	errs := make([]error, len(others))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = c.QueryRow(waitCtx, "SELECT skeldir.refresh_matview($1)", view).Scan(&outcomes[i])
		}()
	}
	close(start)
	wg.Wait()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	tally := map[string]int{}
	for i := range others {
		if errs[i] != nil {
			t.Errorf("concurrent refresh %d: %v", i, errs[i])
		}
		tally[outcomes[i]]++
	}
	if tally["skipped"] != 9 {
		t.Errorf("outcomes while the first refresh ran: %v, want 9 skipped", tally)
	}
	if r, s, f := refreshStat(t, db, view, "refreshed"), refreshStat(t, db, view, "skipped"), refreshStat(t, db, view, "failed"); r != 1 || s != 9 || f != 0 {
		t.Errorf("stats: refreshed %d, skipped %d, failed %d; want 1, 9, 0", r, s, f)
	}
	// The skip lasts only as long as the refresh under way.
	if err := others[0].QueryRow(ctx, "SELECT skeldir.refresh_matview($1)", view).Scan(&outcome); err != nil || outcome != "refreshed" {
		t.Errorf("a refresh after the first committed: %q, %v", outcome, err)
	}
}

func TestARefreshBlockedPastItsLockTimeoutFailsAndRetriesWithoutHangingTheWorker(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	const view = "mv_channel_performance"
	// Only this test's refreshes: no pulse may ask for more.
	db.Exec(t, "UPDATE skeldir.schedules SET enabled = false WHERE kind = 'matview.pulse'")
	db.Exec(t, "UPDATE skeldir.matviews SET lock_timeout = '300 milliseconds' WHERE name = $1", view)

	locker := session(t, db)
	lock, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	// LOCK TABLE refuses materialized views; a plain (not concurrent)
	// refresh takes the view's ACCESS EXCLUSIVE lock until its transaction
	// ends, as a manual refresh or a schema change would.
	if _, err := lock.Exec(ctx, "REFRESH MATERIALIZED VIEW analytics.mv_channel_performance"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM pg_locks WHERE relation = 'analytics.mv_channel_performance'::regclass
	                       AND mode = 'AccessExclusiveLock' AND granted`); n != 1 {
		t.Fatalf("the view's ACCESS EXCLUSIVE lock is not held")
	}

	// One executor per queue: a refresh that waited on the lock would hold
	// the maintenance queue's only slot.
	startDaemon(t, db, "worker", "SKELDIR_WORKER_EXECUTORS=1")
	blocked := enqueue(t, db, "matview.refresh", fmt.Sprintf(`{"view": %q}`, view), nil)
	enqueuedOthers := time.Now()
	other := enqueue(t, db, "matview.refresh", `{"view": "mv_reconciliation_status"}`, nil)
	ping := enqueue(t, db, "housekeeping.ping", "{}", nil)
	jobState := func(id int64) string {
		var s string
		db.Pool(t, testdb.Superuser).QueryRow(ctx, "SELECT state FROM skeldir.jobs WHERE id = $1", id).Scan(&s)
		return s
	}
	waitFor(t, 5*time.Second, "the jobs enqueued behind the blocked refresh to complete", func() bool {
		return jobState(other) == "completed" && jobState(ping) == "completed"
	})
	t.Logf("jobs behind the blocked refresh completed in %v", time.Since(enqueuedOthers))

	waitFor(t, 15*time.Second, "two failed attempts of the blocked refresh", func() bool {
		return refreshStat(t, db, view, "failed") >= 2
	})
	var attempt int
	var lastError string
	var failedSeconds float64
	su := db.Pool(t, testdb.Superuser)
	if err := su.QueryRow(ctx, "SELECT attempt, coalesce(last_error, '') FROM skeldir.jobs WHERE id = $1", blocked).
		Scan(&attempt, &lastError); err != nil {
		t.Fatal(err)
	}
	if attempt < 2 || !strings.Contains(lastError, "SQLSTATE 55P03") || !strings.Contains(lastError, "lock timeout") {
		t.Errorf("blocked refresh after %d attempts, last error %q; want a retried lock_not_available (55P03)", attempt, lastError)
	}
	su.QueryRow(ctx, "SELECT seconds / refreshes FROM skeldir.matview_refresh_stats WHERE view_name = $1 AND outcome = 'failed'",
		view).Scan(&failedSeconds)
	if failedSeconds <= 0 || failedSeconds > 2 {
		t.Errorf("a failed attempt took %.3f s on average; its lock timeout is 0.3 s", failedSeconds)
	}
	if n := refreshStat(t, db, view, "refreshed"); n != 0 {
		t.Errorf("%d refreshes of %s while its lock was held", n, view)
	}

	t.Logf("after %d attempts (%v), releasing the lock", attempt, time.Since(enqueuedOthers))
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the blocked refresh to complete once the lock is free", func() bool {
		return jobState(blocked) == "completed"
	})
	su.QueryRow(ctx, "SELECT attempt FROM skeldir.jobs WHERE id = $1", blocked).Scan(&attempt)
	t.Logf("the refresh completed on attempt %d (%v)", attempt, time.Since(enqueuedOthers))
	if r, f := refreshStat(t, db, view, "refreshed"), refreshStat(t, db, view, "failed"); r != 1 || f != attempt-1 {
		t.Errorf("stats: refreshed %d, failed %d after %d attempts; want 1 and %d", r, f, attempt, attempt-1)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'matview.refresh' AND state <> 'completed'"); n != 0 {
		t.Errorf("%d refresh jobs not completed", n)
	}
}

// The window of the synthetic data: purchases across October 2026.
var (
	octoberStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	octoberEnd   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// seedAttributionData runs scripts/sql/attribution_data.sql for tenant with
// n purchases, its psql variables substituted.
func seedAttributionData(t *testing.T, db *testdb.DB, tenant string, n int) {
	t.Helper()
	script, err := os.ReadFile("../../scripts/sql/attribution_data.sql")
	if err != nil {
		t.Fatal(err)
	}
	sql := strings.NewReplacer(":'tenant'", "'"+tenant+"'", ":purchases", fmt.Sprint(n)).Replace(string(script))
	if strings.Contains(sql, ":'") {
		t.Fatalf("psql variables left in the script:\n%s", sql)
	}
	// Simple protocol: the script is several statements.
	if _, err := session(t, db).Exec(context.Background(), sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("attribution_data.sql: %v", err)
	}
}

// creditsHash digests every column of every credit of tenant.
func creditsHash(t *testing.T, db *testdb.DB, tenant string) (hash string, rows int) {
	t.Helper()
	if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(), `
		SELECT coalesce(md5(string_agg(concat_ws('|', c.event_id, c.channel, c.currency, c.occurred_at AT TIME ZONE 'UTC',
		                                        c.last_touch_cents, c.first_touch_cents, c.linear_cents, c.time_decay_cents,
		                                        c.linear_ratio, c.time_decay_ratio, c.model_version, c.position_based_cents,
		                                        c.position_based_ratio), E'\n'
		                              ORDER BY c.event_id, c.channel COLLATE "C")), ''), count(*)
		  FROM skeldir.attribution_credits AS c WHERE c.tenant_id = $1`, tenant).Scan(&hash, &rows); err != nil {
		t.Fatal(err)
	}
	return hash, rows
}

// misallocated counts the (purchase, model) pairs of tenant's purchases in
// [from, to) whose allocations do not sum exactly to the purchase's revenue,
// and how many purchases there are.
func misallocated(t *testing.T, db *testdb.DB, tenant string, from, to time.Time) (wrong, purchases int) {
	t.Helper()
	if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE allocated IS DISTINCT FROM revenue_cents), count(DISTINCT id)
		  FROM (SELECT p.id, p.revenue_cents, m.model,
		               (SELECT sum(a.allocated_cents) FROM skeldir.attribution_allocations AS a
		                 WHERE a.tenant_id = p.tenant_id AND a.event_id = p.id AND a.model = m.model) AS allocated
		          FROM skeldir.attribution_events AS p
		         CROSS JOIN unnest(enum_range(NULL::skeldir.attribution_model)) AS m(model)
		         WHERE p.tenant_id = $1 AND p.event_type = 'purchase' AND p.revenue_cents > 0
		           AND p.occurred_at >= $2 AND p.occurred_at < $3) AS x`, tenant, from, to).Scan(&wrong, &purchases); err != nil {
		t.Fatal(err)
	}
	return wrong, purchases
}

func recompute(ctx context.Context, c *pgx.Conn) (int64, error) {
	var changed int64
	err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT skeldir.recompute_attribution($1, $2)", octoberStart, octoberEnd).Scan(&changed)
	})
	return changed, err
}

func TestAttributionIsIdenticalSerialConcurrentAndAfterAFailedRun(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	tn := createTenant(t, db, "Acme")
	const purchases = 2000
	// Each purchase's session has three touches on three channels; in 1000
	// of the 2000 one is direct, which a path with other touches does not
	// credit (GA4's rule): a credit row per credited channel.
	const credited = 3*purchases - 1000
	seedAttributionData(t, db, tn.ID, purchases)
	owner := ownerSession(t, db, tn.ID)
	clear := func() { db.Exec(t, "DELETE FROM skeldir.attribution_credits WHERE tenant_id = $1", tn.ID) }
	expect := func(when, want string) {
		t.Helper()
		if got, _ := creditsHash(t, db, tn.ID); got != want {
			t.Errorf("%s: credits hash %s, want %s", when, got, want)
		}
	}

	// (a) Serially, each from nothing; then once more over its own rows.
	var want string
	for run := 1; run <= 3; run++ {
		clear()
		began := time.Now()
		changed, err := recompute(ctx, owner)
		if err != nil {
			t.Fatalf("serial run %d: %v", run, err)
		}
		t.Logf("serial run %d: %d rows in %v", run, changed, time.Since(began))
		hash, rows := creditsHash(t, db, tn.ID)
		if run == 1 {
			want = hash
			if rows != credited || changed != int64(rows) {
				t.Fatalf("first run wrote %d rows (reported %d), want %d", rows, changed, credited)
			}
			if wrong, n := misallocated(t, db, tn.ID, octoberStart, octoberEnd); wrong != 0 || n != purchases {
				t.Errorf("%d of %d purchases' model allocations do not sum to their revenue", wrong, n)
			}
		}
		expect(fmt.Sprintf("serial run %d", run), want)
	}
	if changed, err := recompute(ctx, owner); err != nil || changed != 0 {
		t.Errorf("a recompute with nothing new changed %d rows: %v", changed, err)
	}
	expect("a recompute over its own rows", want)

	// (b) Ten at once, each in its own transaction on its own connection.
	// A gate on the credits table holds them all in flight until every one
	// has started.
	clear()
	conns := make([]*pgx.Conn, 10)
	pids := make([]int, len(conns))
	for i := range conns {
		conns[i] = ownerSession(t, db, tn.ID)
		pids[i] = backendPID(t, conns[i])
	}
	gate, err := session(t, db).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gate.Exec(ctx, "LOCK TABLE skeldir.attribution_credits IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	changes := make([]int64, len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); changes[i], errs[i] = recompute(ctx, c) }()
	}
	waitFor(t, 30*time.Second, "all ten recomputes to be waiting", func() bool {
		return count(t, db, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1) AND wait_event_type = 'Lock'", pids) == len(conns)
	})
	began := time.Now()
	gate.Rollback(ctx)
	wg.Wait()
	t.Logf("ten concurrent recomputes finished in %v: %v", time.Since(began), changes)
	var total int64
	writers := 0
	for i := range conns {
		if errs[i] != nil {
			t.Errorf("concurrent recompute %d: %v", i, errs[i])
		}
		total += changes[i]
		if changes[i] != 0 {
			writers++
		}
	}
	if total != credited || writers != 1 {
		t.Errorf("concurrent recomputes changed %v rows; want one to write %d and the others nothing", changes, credited)
	}
	expect("ten concurrent recomputes", want)

	// (c) A recompute cancelled midway, after it replaced some rows and
	// inserted others. Start from stale credits: some written by an older
	// model version, some missing.
	db.Exec(t, "UPDATE skeldir.attribution_credits SET model_version = 'v0' WHERE tenant_id = $1 AND occurred_at < '2026-10-11'", tn.ID)
	db.Exec(t, "DELETE FROM skeldir.attribution_credits WHERE tenant_id = $1 AND occurred_at >= '2026-10-21'", tn.ID)
	stale, staleRows := creditsHash(t, db, tn.ID)
	// The 1000th row inserted stalls the run, for the test to cancel it.
	db.Exec(t, `CREATE FUNCTION skeldir.test_stall_insert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
		  PERFORM set_config('test.rows', (coalesce(nullif(current_setting('test.rows', true), ''), '0')::int + 1)::text, true);
		  IF current_setting('test.rows')::int = 1000 THEN PERFORM pg_sleep(60); END IF;
		  RETURN NEW;
		END $$`)
	db.Exec(t, `CREATE TRIGGER test_stall_insert BEFORE INSERT ON skeldir.attribution_credits
		FOR EACH ROW EXECUTE FUNCTION skeldir.test_stall_insert()`)
	victim := ownerSession(t, db, tn.ID)
	victimPID := backendPID(t, victim)
	failed := make(chan error, 1)
	go func() { _, err := recompute(ctx, victim); failed <- err }()
	waitFor(t, 30*time.Second, "the recompute to stall mid-insert", func() bool {
		return count(t, db, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event = 'PgSleep'", victimPID) == 1
	})
	db.Exec(t, "SELECT pg_cancel_backend($1)", victimPID)
	if err := <-failed; sqlState(err) != "57014" {
		t.Fatalf("the cancelled recompute returned %v, want query_canceled (57014)", err)
	}
	if hash, rows := creditsHash(t, db, tn.ID); hash != stale || rows != staleRows {
		t.Errorf("the cancelled recompute left %d rows (hash %s), want the %d stale rows it found (hash %s)",
			rows, hash, staleRows, stale)
	}
	db.Exec(t, "DROP TRIGGER test_stall_insert ON skeldir.attribution_credits")
	if changed, err := recompute(ctx, victim); err != nil || changed == 0 {
		t.Errorf("the recompute after the cancelled one: %d rows changed, %v", changed, err)
	}
	expect("a recompute after a cancelled one", want)
	if wrong, n := misallocated(t, db, tn.ID, octoberStart, octoberEnd); wrong != 0 || n != purchases {
		t.Errorf("%d of %d purchases' model allocations do not sum to their revenue", wrong, n)
	}
}

func TestPurchasesOfOneDayCoalesceIntoOneRecomputeThatAttributesThem(t *testing.T) {
	db, api, tn := webhookFixture(t)
	order := func(id int, createdAt string, cents int, source string) []byte {
		return []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "%d.%02d", "currency": "USD", "created_at": %q, "landing_site": "/?utm_source=%s&utm_medium=cpc", "note_attributes": [{"name": "skeldir_session_id", "value": "sess_%d"}]}`,
			id, id, cents/100, cents%100, createdAt, source, id))
	}
	// Twenty orders across the UTC day of 20 November (one written in
	// New York time), delivered at once.
	const n = 20
	cents := map[string]int{} // order id -> revenue
	bodies := make([][]byte, n)
	for i := range bodies {
		at := fmt.Sprintf("2026-11-20T%02d:%02d:07Z", i, 3*i)
		if i == n-1 {
			at = "2026-11-20T18:59:59-05:00"
		}
		id := 9100 + i
		cents[fmt.Sprint(id)] = 1999 + 1013*i
		bodies[i] = order(id, at, cents[fmt.Sprint(id)], []string{"google", "facebook", "newsletter"}[i%3])
	}
	var wg sync.WaitGroup
	answers := make([]answer, n)
	for i := range bodies {
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = tn.deliver(t, api, "shopify", "order_create", bodies[i], nil) }()
	}
	wg.Wait()
	// An order a second after midnight in New York's evening is the next UTC day.
	next := tn.deliver(t, api, "shopify", "order_create", order(9200, "2026-11-20T19:00:01-05:00", 4200, "google"), nil)
	for i, a := range append(answers, next) {
		if a.Status != 200 || a.Body["status"] != "accepted" {
			t.Fatalf("order %d: %d %v", i, a.Status, a.Body)
		}
	}

	jobs := func(day, state string) int {
		return count(t, db, `SELECT count(*) FROM skeldir.jobs WHERE kind = 'attribution.recompute' AND tenant_scope = $1
		                      AND args ->> 'day' = $2 AND state::text LIKE $3`, tn.ID, day, state)
	}
	if all, pending := jobs("2026-11-20", "%"), jobs("2026-11-20", "available"); all != 1 || pending != 1 {
		t.Errorf("%d recompute jobs for 20 November, %d pending; want 1 pending", all, pending)
	}
	if all := jobs("2026-11-21", "%"); all != 1 {
		t.Errorf("%d recompute jobs for 21 November, want 1", all)
	}
	if all := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'attribution.recompute'"); all != 2 {
		t.Errorf("%d recompute jobs in all, want 2", all)
	}

	startDaemon(t, db, "worker")
	waitFor(t, 20*time.Second, "both recomputes to complete", func() bool {
		return jobs("2026-11-20", "completed")+jobs("2026-11-21", "completed") == 2
	})
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if wrong, orders := misallocated(t, db, tn.ID, day, day.AddDate(0, 0, 1)); wrong != 0 || orders != n {
		t.Errorf("20 November: %d purchases, %d (purchase, model) allocations off their revenue; want %d and 0", orders, wrong, n)
	}
	if wrong, orders := misallocated(t, db, tn.ID, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)); wrong != 0 || orders != 1 {
		t.Errorf("21 November: %d purchases, %d allocations off their revenue", orders, wrong)
	}
	// The revenue they sum to is the order's price, per model.
	rows, err := db.Pool(t, testdb.Superuser).Query(context.Background(), `
		SELECT e.order_id, a.model::text, sum(a.allocated_cents)
		  FROM skeldir.attribution_allocations AS a
		  JOIN skeldir.attribution_events AS e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
		 WHERE a.tenant_id = $1 GROUP BY 1, 2`, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	cents["9200"] = 4200
	seen := 0
	for rows.Next() {
		var orderID, model string
		var sum int
		if err := rows.Scan(&orderID, &model, &sum); err != nil {
			t.Fatal(err)
		}
		if sum != cents[orderID] {
			t.Errorf("order %s, %s: allocations sum to %d, the order was %d", orderID, model, sum, cents[orderID])
		}
		seen++
	}
	if rows.Err() != nil || seen != 5*(n+1) {
		t.Errorf("%d (order, model) sums for %d orders and 5 models: %v", seen, n+1, rows.Err())
	}
}

// A refresh job skipped because another refresh of its view is under way
// may carry changes that refresh did not see: it asks for one more, after.
func TestARefreshJobSkippedWhileAnotherRunsIsHonouredAfterIt(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	const view = "mv_reconciliation_status"
	running, worker := ownerSession(t, db, ""), ownerSession(t, db, "")
	tx, err := running.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT skeldir.refresh_matview($1)", view); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Exec(ctx, "SELECT worker.matview_refresh(jsonb_build_object('view', $1::text), 0)", view); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM skeldir.jobs WHERE kind = 'matview.refresh' AND args ->> 'view' = $1
	                       AND state = 'available' AND run_at > now()`, view); n != 1 {
		t.Fatalf("%d follow-up refreshes after a skip, want 1", n)
	}
	// Skipping again while the first still runs asks for no second one.
	worker.Exec(ctx, "SELECT worker.matview_refresh(jsonb_build_object('view', $1::text), 0)", view)
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'matview.refresh' AND state = 'available'"); n != 1 {
		t.Errorf("%d pending refreshes, want 1", n)
	}
	tx.Commit(ctx)
	if _, err := worker.Exec(ctx, "SELECT worker.matview_refresh(jsonb_build_object('view', $1::text), 0)", view); err != nil {
		t.Fatal(err)
	}
	if r := refreshStat(t, db, view, "refreshed"); r != 2 {
		t.Errorf("%d refreshes, want 2: the running one and the one after it", r)
	}
}
