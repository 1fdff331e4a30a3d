package main_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/dispatch"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// startDaemon runs skeldird in role against db, with fault injection
// enabled, polling often enough for tests.
func startDaemon(t *testing.T, db *testdb.DB, role string, env ...string) *testdaemon.Daemon {
	t.Helper()
	base := append(db.Env(), "DATABASE_URL="+db.URL(testdb.API), "WORKER_DATABASE_URL="+db.URL(testdb.Worker),
		"FEED_DATABASE_URL=", "SKELDIR_WORKER_POLL=200ms")
	return testdaemon.Start(t, role, append(base, env...)...)
}

func enableFaults(t *testing.T, db *testdb.DB) {
	t.Helper()
	db.Exec(t, "SELECT admin.set_fault_injection(true)")
}

// enqueue adds a job as an operator would and returns its id.
func enqueue(t *testing.T, db *testdb.DB, kind, args string, tenant any) int64 {
	t.Helper()
	var id int64
	if err := db.Pool(t, testdb.Admin).QueryRow(context.Background(),
		"SELECT admin.enqueue($1, $2::jsonb, $3::uuid)", kind, args, tenant).Scan(&id); err != nil {
		t.Fatalf("enqueue %s: %v", kind, err)
	}
	return id
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFaultKindsAreRefusedUnlessEnabled(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	_, err := db.Pool(t, testdb.Admin).Exec(context.Background(), "SELECT admin.enqueue('fault.poison_pill')")
	if err == nil || !strings.Contains(err.Error(), "fault injection is disabled") {
		t.Errorf("a fault kind was enqueued while disabled: %v", err)
	}
	_, err = db.Pool(t, testdb.Admin).Exec(context.Background(), "SELECT admin.enqueue('no.such_kind')")
	if err == nil || !strings.Contains(err.Error(), "unknown job kind") {
		t.Errorf("an unknown kind was enqueued: %v", err)
	}
}

func TestPoisonPillRetriesWithGrowingBackoffThenDeadLettersOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	enableFaults(t, db)
	a, b := createTenant(t, db, "A"), createTenant(t, db, "B")
	startDaemon(t, db, "worker")
	job := enqueue(t, db, "fault.poison_pill", "{}", a.ID)

	// Watch each retry's scheduled time: the gaps must grow.
	runAt := map[int]time.Time{}
	su := db.Pool(t, testdb.Superuser)
	waitFor(t, 20*time.Second, "the poison pill to be dead-lettered", func() bool {
		var state string
		var attempt int
		var at time.Time
		su.QueryRow(context.Background(), "SELECT state, attempt, run_at FROM skeldir.jobs WHERE id = $1", job).
			Scan(&state, &attempt, &at)
		if state == "available" && attempt > 0 {
			runAt[attempt] = at
		}
		return state == "dead"
	})
	if len(runAt) != 3 {
		t.Fatalf("saw retries after attempts %v, want 1, 2 and 3", runAt)
	}
	if !(runAt[2].Sub(runAt[1]) < runAt[3].Sub(runAt[2])) {
		t.Errorf("backoff did not grow: retries at %v", runAt)
	}
	var attempts int
	su.QueryRow(context.Background(), "SELECT attempt FROM skeldir.jobs WHERE id = $1", job).Scan(&attempts)
	if attempts != 4 {
		t.Errorf("%d attempts, want 4 (3 retries)", attempts)
	}

	// The analyst login reads tenant A, the tenant it is bound to.
	db.Exec(t, "SELECT admin.grant_analyst($1, $2)", a.ID, testdb.ReadOnly)
	visible := func(tenant string) (rows, retries int) {
		ro := db.Pool(t, testdb.ReadOnly)
		conn, _ := ro.Acquire(context.Background())
		defer conn.Release()
		conn.Exec(context.Background(), "SELECT set_config('app.current_tenant_id', $1, false)", tenant)
		conn.QueryRow(context.Background(), "SELECT count(*), coalesce(max(retry_count), 0) FROM skeldir.worker_failed_jobs WHERE job_id = $1", job).
			Scan(&rows, &retries)
		return
	}
	if rows, retries := visible(a.ID); rows != 1 || retries != 3 {
		t.Errorf("tenant A sees %d failed-job rows with retry_count %d, want 1 with 3", rows, retries)
	}
	if rows, _ := visible(b.ID); rows != 0 {
		t.Errorf("tenant B sees tenant A's failed job")
	}
}

func TestCrashAfterWriteRunsAgainAndWritesExactlyOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	enableFaults(t, db)
	const n = 20
	for i := 0; i < n; i++ {
		enqueue(t, db, "fault.crash_after_write", `{"hang_seconds": 60}`, nil)
	}
	first := startDaemon(t, db, "worker", "SKELDIR_WORKER_EXECUTORS=20")
	waitFor(t, 10*time.Second, "every job to be running", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND state = 'running'") == n
	})
	first.Kill(t)

	startDaemon(t, db, "worker", "SKELDIR_WORKER_EXECUTORS=20")
	waitFor(t, 30*time.Second, "every job to complete", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND state = 'completed'") == n
	})
	effects := count(t, db, "SELECT count(*) FROM skeldir.job_side_effects")
	second := count(t, db, "SELECT count(*) FROM skeldir.job_side_effects WHERE attempt = 2")
	if effects != n || second != n {
		t.Errorf("%d side effects (%d from the second attempt), want %d, all from the second", effects, second, n)
	}
}

// A dispatcher killed mid-job stops beating: its jobs come back within
// seconds of its heartbeat running out (ten seconds), not when their leases
// do (six minutes here; the reaper's only clue before dispatchers beat).
func TestAKilledDispatchersJobsComeBackLongBeforeTheirLeasesRunOut(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	enableFaults(t, db)
	db.Exec(t, "UPDATE skeldir.job_kinds SET soft_limit = '5 minutes', hard_limit = '6 minutes' WHERE kind = 'fault.crash_after_write'")
	const n = 4
	for range n {
		enqueue(t, db, "fault.crash_after_write", `{"hang_seconds": 3600}`, nil)
	}
	first := startDaemon(t, db, "worker", "SKELDIR_WORKER_EXECUTORS=4")
	waitFor(t, 10*time.Second, "every job to be running", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND state = 'running'") == n
	})
	first.Kill(t)
	killed := time.Now()

	startDaemon(t, db, "worker", "SKELDIR_WORKER_EXECUTORS=4")
	waitFor(t, 40*time.Second, "every job to complete", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND state = 'completed'") == n
	})
	took := time.Since(killed)
	if reaped := count(t, db, `SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND attempt = 2
	                             AND last_error = 'its dispatcher stopped beating before the lease expired'`); reaped != n {
		t.Errorf("%d of %d jobs ran again after their silent dispatcher's jobs were handed back", reaped, n)
	}
	if effects, second := count(t, db, "SELECT count(*) FROM skeldir.job_side_effects"),
		count(t, db, "SELECT count(*) FROM skeldir.job_side_effects WHERE attempt = 2"); effects != n || second != n {
		t.Errorf("%d side effects (%d from the second attempt), want %d, all from the second", effects, second, n)
	}
	t.Logf("the killed dispatcher's %d jobs (leases of 6 minutes) completed %v after the kill", n, took.Round(100*time.Millisecond))
}

// A running job's row is locked by the transaction running it: the reaper
// neither takes it nor waits for it, however long ago its dispatcher beat,
// and keeps that dispatcher's row while the job names it. Once nothing holds
// the row, the job comes back and the row goes.
func TestTheReaperLeavesARunningJobAloneWhateverItsDispatchersHeartbeat(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	db.Exec(t, "INSERT INTO skeldir.dispatchers (id, expires_at) VALUES ('silent', now() - interval '2 hours')")
	su := session(t, db)
	var job int64
	if err := su.QueryRow(ctx, `INSERT INTO skeldir.jobs (kind, queue, state, attempt, started_at, leased_by, leased_until)
		VALUES ('housekeeping.prune_jobs', 'housekeeping', 'running', 1, now(), 'silent', now() + interval '5 minutes')
		RETURNING id`).Scan(&job); err != nil {
		t.Fatal(err)
	}
	running, err := session(t, db).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Rollback(ctx)
	if _, err := running.Exec(ctx, "SELECT FROM skeldir.jobs WHERE id = $1 FOR UPDATE", job); err != nil {
		t.Fatal(err)
	}
	reap := func() int {
		t.Helper()
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var n int
		if err := su.QueryRow(rctx, "SELECT skeldir.reap_expired_leases()").Scan(&n); err != nil {
			t.Fatalf("the reaper: %v (did it wait for the running job?)", err)
		}
		return n
	}
	if n := reap(); n != 0 {
		t.Errorf("the reaper handed back %d job(s) while the job's row was locked", n)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE id = $1 AND state = 'running' AND leased_by = 'silent'", job); n != 1 {
		t.Errorf("the running job changed under its transaction")
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dispatchers WHERE id = 'silent'"); n != 1 {
		t.Errorf("the reaper pruned the dispatcher a running job names")
	}

	if err := running.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := reap(); n != 1 {
		t.Errorf("once nothing held it, the reaper handed back %d job(s), want the silent dispatcher's 1", n)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dispatchers WHERE id = 'silent'"); n != 0 {
		t.Errorf("the long-silent dispatcher's row outlived its last job")
	}
}

func TestRunawayStopsAtItsSoftLimitWhileOtherJobsRun(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	enableFaults(t, db)
	runaway := enqueue(t, db, "fault.runaway", `{"seconds": 3600}`, nil)
	for i := 0; i < 20; i++ {
		enqueue(t, db, "fault.crash_after_write", `{"hang_seconds": 0}`, nil)
	}
	startDaemon(t, db, "worker")
	waitFor(t, 20*time.Second, "the short jobs to complete", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'fault.crash_after_write' AND state = 'completed'") == 20
	})
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE id = $1 AND state = 'dead'", runaway); n != 0 {
		t.Errorf("the runaway was dead before the short jobs finished: they waited for it")
	}
	waitFor(t, 20*time.Second, "the runaway to be dead-lettered", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE id = $1 AND state = 'dead'", runaway) == 1
	})
	var class string
	var retries int
	db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT error_class, retry_count FROM skeldir.worker_failed_jobs WHERE job_id = $1", runaway).Scan(&class, &retries)
	if class != "soft_time_limit" || retries != 3 {
		t.Errorf("runaway dead-lettered with class %q after %d retries", class, retries)
	}
}

func TestTwoDaemonsRunEachJobOnceAndFireEachScheduleOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	enableFaults(t, db)
	db.Exec(t, "INSERT INTO skeldir.schedules (name, kind, every) VALUES ('test_ping', 'housekeeping.ping', '1 second')")
	for i := 0; i < 300; i++ {
		enqueue(t, db, "housekeeping.ping", "{}", nil)
	}
	for i := 0; i < 40; i++ {
		enqueue(t, db, "fault.crash_after_write", `{"hang_seconds": 0}`, nil)
	}
	startDaemon(t, db, "worker")
	startDaemon(t, db, "worker")
	waitFor(t, 20*time.Second, "every job to complete", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE dedupe_key IS NULL AND state <> 'completed'") == 0
	})
	waitFor(t, 10*time.Second, "the schedule to fire in a few slots", func() bool {
		return count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE dedupe_key LIKE 'schedule:test_ping:%'") >= 3
	})

	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE dedupe_key IS NULL AND attempt <> 1"); n != 0 {
		t.Errorf("%d jobs ran more than once", n)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.job_side_effects"); n != 40 {
		t.Errorf("%d side effects for 40 jobs", n)
	}
	// One query: the schedule keeps firing between two.
	var fired, slots int
	db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT count(*), count(DISTINCT dedupe_key) FROM skeldir.jobs WHERE dedupe_key LIKE 'schedule:test_ping:%'").
		Scan(&fired, &slots)
	if fired < 2 || fired != slots {
		t.Errorf("the schedule fired %d jobs for %d slots", fired, slots)
	}
}

func TestHealthTellsTheTruthAboutEachPart(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	proxy := newToggleProxy(t, db.URL(testdb.API))
	status := func(d *testdaemon.Daemon, path string) int {
		resp, _ := d.Do(t, "GET", path, nil, nil)
		return resp.StatusCode
	}
	// Health follows each change within a few seconds (answers are cached
	// for a second, and a probe takes up to its timeout).
	expect := func(d *testdaemon.Daemon, when string, live, ready, worker int) {
		t.Helper()
		want, got := fmt.Sprint(live, ready, worker), ""
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if got = fmt.Sprint(status(d, "/health/live"), status(d, "/health/ready"), status(d, "/health/worker")); got == want {
				return
			}
		}
		t.Errorf("%s: live/ready/worker %s, want %s", when, got, want)
	}

	api := startDaemon(t, db, "api", "DATABASE_URL="+proxy.url, "SKELDIR_WORKER_PROBE_TIMEOUT=1s",
		"SKELDIR_READY_TIMEOUT=1s")
	expect(api, "no worker anywhere", 200, 200, 503)

	worker := startDaemon(t, db, "worker")
	expect(api, "a worker running", 200, 200, 200)
	if resp, body := testdaemon.Get(t, "GET", worker.MetricsURL+"/metrics", nil, nil); resp.StatusCode != 200 ||
		!strings.Contains(string(body), `skeldir_job_runs_total{kind="health.probe",outcome="completed"}`) {
		t.Errorf("worker metrics: %d\n%s", resp.StatusCode, body)
	}

	_, before := api.Do(t, "GET", "/metrics", nil, nil)
	// /metrics answers while the database is down. That the queue gauges
	// outlive a failed read and the failures are counted is
	// internal/metrics' TestDatabaseStatsAreCachedAndOutliveAFailedRead,
	// on a clock it moves (no waiting here for the cache to age).
	proxy.down()
	expect(api, "the database unreachable", 200, 503, 503)
	resp, during := api.Do(t, "GET", "/metrics", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(during), `skeldir_queue_jobs{queue="maintenance",state="available"}`) ||
		!strings.Contains(string(before), `skeldir_queue_jobs{queue="maintenance",state="available"}`) ||
		!strings.Contains(string(during), "skeldir_queue_stats_refresh_errors_total") {
		t.Errorf("metrics while the database is down: %d, queue gauges kept: %v", resp.StatusCode,
			strings.Contains(string(during), "skeldir_queue_jobs"))
	}

	proxy.up()
	expect(api, "the database back", 200, 200, 200)
}

// The dispatcher serves the queues the database defines, no more, no fewer.
func TestDispatcherServesEveryQueueTheDatabaseDefines(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var queues []string
	if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT array_agg(q::text ORDER BY q) FROM unnest(enum_range(NULL::skeldir.queue)) AS q").Scan(&queues); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(dispatch.Queues), fmt.Sprint(queues); got != want {
		t.Errorf("dispatcher queues %s, database queues %s", got, want)
	}
}

func TestServeRefusesAHalfConfiguredRole(t *testing.T) {
	t.Parallel()
	const someURL = "postgres://nobody@127.0.0.1:1/none"
	for _, c := range []struct{ role, databaseURL, missing string }{
		{"all", someURL, "WORKER_DATABASE_URL"},
		{"worker", someURL, "WORKER_DATABASE_URL"},
		{"api", "", "DATABASE_URL"},
	} {
		role, missing := c.role, c.missing
		cmd := exec.Command(testdaemon.Binary(t), "serve", "--role", role)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+c.databaseURL, "WORKER_DATABASE_URL=",
			"SKELDIR_HTTP_ADDR=127.0.0.1:0", "SKELDIR_WORKER_METRICS_ADDR=127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), missing+" is not set") {
			t.Errorf("serve --role %s without %s: %v\n%s", role, missing, err, out)
		}
	}
}

// A request that finds its job already pending (same dedupe key) holds it
// until the request commits: a job that started earlier could read its
// inputs without the request's change, and nothing would ask again. The
// dispatcher claims the job all the same (skipping it would leave it to the
// next poll, and under steady requests to the one after), and the job starts
// (worker.execute past its row lock) only once the request committed.
func TestAPendingJobStartsAfterTheRequestsThatDeduplicateIntoIt(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	tenant := createTenant(t, db, "Dedupe").ID
	const ask = "SELECT skeldir.enqueue('attribution.recompute', '{\"day\": \"2026-11-20\"}', $1, now() - interval '1 second', 'dedupe-test')"
	var pending int64
	if err := session(t, db).QueryRow(ctx, ask, tenant).Scan(&pending); err != nil {
		t.Fatal(err)
	}

	request, err := session(t, db).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var same int64
	if err := request.QueryRow(ctx, ask, tenant).Scan(&same); err != nil || same != pending {
		t.Fatalf("the second request got job %d (%v), want the pending %d", same, err, pending)
	}

	var claimed int64
	if err := session(t, db).QueryRow(ctx, "SELECT job_id FROM worker.claim('attribution', 10, 'dedupe-test')").Scan(&claimed); err != nil || claimed != pending {
		t.Fatalf("a dispatcher claimed job %d (%v) while a request held it, want the pending %d claimed", claimed, err, pending)
	}
	executor := session(t, db)
	pid := backendPID(t, executor)
	executed := make(chan error, 1)
	go func() {
		_, err := executor.Exec(ctx, "SELECT worker.execute($1, 'dedupe-test')", claimed)
		executed <- err
	}()
	waitFor(t, 30*time.Second, "worker.execute to wait for the request", func() bool {
		return count(t, db, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", pid) == 1
	})
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE id = $1 AND state = 'running'", claimed); n != 1 {
		t.Fatalf("the job is no longer running while a request that asked for it is open")
	}
	if err := request.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-executed; err != nil {
		t.Fatalf("worker.execute after the request committed: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE id = $1 AND state = 'completed'", claimed); n != 1 {
		t.Fatalf("the job did not complete once the request committed")
	}
	// Once it ran, the same request makes the next job.
	var next int64
	if err := session(t, db).QueryRow(ctx, ask, tenant).Scan(&next); err != nil || next == pending {
		t.Fatalf("a request after the job ran got job %d (%v), want a new one", next, err)
	}
}
