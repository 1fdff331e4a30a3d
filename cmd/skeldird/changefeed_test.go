package main_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/loadgen"
	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// feedPurchases is how many purchases the change feed acceptance test
// ingests: a bounded number in `make test`, SPEC's 50,000 with
// `make test-feed` (SKELDIR_FEED_PURCHASES).
func feedPurchases(t *testing.T) int {
	if v := os.Getenv("SKELDIR_FEED_PURCHASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SKELDIR_FEED_PURCHASES=%q", v)
		}
		return n
	}
	return 4000
}

// purchaseLoad is n signed Shopify orders spread over tenants and over
// three UTC days, each order's cents known: the expected totals per tenant.
type purchaseLoad struct {
	tenants []tenant
	n       int
	cents   func(i int) int
	expect  map[string]int64 // tenant id -> captured cents
}

func newPurchaseLoad(t *testing.T, db *testdb.DB, tenants, n int) purchaseLoad {
	l := purchaseLoad{n: n, expect: map[string]int64{}, cents: func(i int) int { return 500 + (i*37)%20000 }}
	for i := range tenants {
		l.tenants = append(l.tenants, createTenant(t, db, fmt.Sprintf("Feed %d", i)))
	}
	for i := range n {
		l.expect[l.tenants[i%tenants].ID] += int64(l.cents(i))
	}
	return l
}

func (l purchaseLoad) request(i int) loadgen.Request {
	tn := l.tenants[i%len(l.tenants)]
	c := l.cents(i)
	at := time.Date(2026, 11, 20+i%3, (i/3)%24, i%60, 7, 0, time.UTC).Format(time.RFC3339)
	body := []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "%d.%02d", "currency": "USD", "created_at": %q, "landing_site": "/?utm_source=%s&utm_medium=cpc", "note_attributes": [{"name": "skeldir_session_id", "value": "sess_%d"}]}`,
		700000+i, 700000+i, c/100, c%100, at, []string{"google", "facebook", "newsletter"}[i%3], i))
	h := signing.Headers("shopify", tn.Secrets["shopify"], body, time.Now())
	h["X-Skeldir-Tenant-Key"] = tn.Key
	h["Content-Type"] = "application/json"
	return loadgen.Request{Path: "/api/webhooks/shopify/order_create", Header: h, Body: body}
}

// send delivers purchases [from, to) and requires every one accepted.
func (l purchaseLoad) send(t *testing.T, api *testdaemon.Daemon, from, to int) {
	var bad atomic.Int64
	rep := loadgen.Run(context.Background(), loadgen.Options{BaseURL: api.BaseURL, Requests: to - from, Concurrency: 32,
		Timeout: 30 * time.Second, Next: func(i int) loadgen.Request { return l.request(from + i) },
		Inspect: func(_, status int, body []byte) {
			if status != 200 || !strings.Contains(string(body), `"accepted"`) {
				bad.Add(1)
			}
		}})
	if bad.Load() != 0 || rep.Timeouts != 0 || rep.Errors != 0 {
		t.Errorf("purchases %d..%d: %d not accepted, %d timeouts, %d errors (%v)", from, to, bad.Load(), rep.Timeouts, rep.Errors, rep.Status)
	}
	t.Logf("ingested %d purchases over HTTP in %v (%.0f/s)", to-from, rep.Elapsed.Round(time.Millisecond), rep.Rate())
}

// converged reports whether every tenant's purchases are all attributed
// exactly (five models, each summing to the order) and its realtime revenue
// is the sum of its orders.
func (l purchaseLoad) converged(t *testing.T, db *testdb.DB) (bool, string) {
	attributed := count(t, db, `
		SELECT count(*) FROM (
		  SELECT e.id FROM skeldir.attribution_events AS e
		  JOIN skeldir.attribution_allocations AS a ON a.tenant_id = e.tenant_id AND a.event_id = e.id
		 WHERE e.event_type = 'purchase'
		 GROUP BY e.id, e.revenue_cents, a.model HAVING sum(a.allocated_cents) = e.revenue_cents) AS x`)
	if attributed != 5*l.n {
		return false, fmt.Sprintf("%d of %d (purchase, model) allocations sum to the purchase", attributed, 5*l.n)
	}
	for tid, want := range l.expect {
		got := count(t, db, `SELECT coalesce(sum(captured_cents), 0)::bigint FROM skeldir.realtime_revenue WHERE tenant_id = $1`, tid)
		if int64(got) != want {
			return false, fmt.Sprintf("tenant %s: realtime revenue %d, want %d", tid, got, want)
		}
	}
	return true, ""
}

func (l purchaseLoad) waitConverged(t *testing.T, db *testdb.DB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := l.converged(t, db)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not converged after %v: %s", timeout, why)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

type feedState struct {
	Mode                     string
	Changes, Skipped, Events int
}

func readFeed(t *testing.T, db *testdb.DB) feedState {
	t.Helper()
	var f feedState
	if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(), `
		SELECT f.mode, f.changes, f.skipped_changes,
		       (SELECT count(*) FROM skeldir.attribution_events) + (SELECT count(*) FROM skeldir.revenue_ledger)
		  FROM skeldir.change_feed AS f`).Scan(&f.Mode, &f.Changes, &f.Skipped, &f.Events); err != nil {
		t.Fatal(err)
	}
	return f
}

// startFeedWorker runs a worker daemon whose change feed streams as its own
// login role and waits until it streams. After a leader was killed, it
// streams once the dead leader's lease (15 s) ran out.
func startFeedWorker(t *testing.T, db *testdb.DB) *testdaemon.Daemon {
	t.Helper()
	w := startDaemon(t, db, "worker", "FEED_DATABASE_URL="+db.URL(testdb.Feed))
	waitFor(t, 45*time.Second, "the change feed to stream", func() bool {
		return strings.Contains(w.Logs(), `"msg":"change feed streaming"`)
	})
	return w
}

func TestChangeFeedCoalescesPurchasesOfManyTenantsAndMissesNone(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	// Only the feed asks for realtime refreshes here: the pulse would hide a feed that does not.
	db.Exec(t, "UPDATE skeldir.schedules SET enabled = false WHERE kind = 'matview.pulse'")
	n := feedPurchases(t)
	load := newPurchaseLoad(t, db, 20, n)
	api := startAPI(t, db)
	w := startFeedWorker(t, db)
	if !strings.Contains(w.Logs(), `"mode":"feed"`) {
		t.Errorf("the worker did not log that it runs the feed:\n%s", w.Logs())
	}

	began := time.Now()
	load.send(t, api, 0, n)
	waitFor(t, 2*time.Minute, "the feed to apply every insert", func() bool {
		f := readFeed(t, db)
		return f.Changes >= f.Events
	})
	load.waitConverged(t, db, 3*time.Minute)
	took := time.Since(began)

	f := readFeed(t, db)
	if f.Mode != "feed" || f.Events != 2*n || f.Changes != f.Events || f.Skipped != 0 {
		t.Errorf("feed %+v: want mode feed and every one of %d events and ledger rows applied once", f, 2*n)
	}
	// Coalescing: a tenant's day has at most one pending recompute, due 2 s
	// after it is asked for, so each (tenant, day) needs at most one job per
	// 2 s of the run, however many purchases arrive; and that is fewer jobs
	// than half the purchases, however slow the run.
	recomputes := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'attribution.recompute'")
	days := count(t, db, `SELECT count(DISTINCT (tenant_id, (occurred_at AT TIME ZONE 'UTC')::date))
	                        FROM skeldir.attribution_events WHERE event_type = 'purchase'`)
	bound := min(days*(int(took/(2*time.Second))+2), n/2)
	if recomputes == 0 || recomputes > bound {
		t.Errorf("%d recompute jobs for %d purchases on %d tenant-days in %v: want at most %d",
			recomputes, n, days, took.Round(time.Second), bound)
	}
	refreshes := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'revenue.realtime'")
	t.Logf("%d purchases over 20 tenants: %d recompute jobs, %d realtime refresh jobs", n, recomputes, refreshes)

	resp, body := api.Do(t, "GET", "/health/ready", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"change_feed":"ok"`) {
		t.Errorf("ready: %d %s, want 200 with change_feed ok", resp.StatusCode, body)
	}
	_, metrics := testdaemon.Get(t, "GET", w.MetricsURL+"/metrics", nil, nil)
	for _, want := range []string{"skeldir_change_feed_lag_bytes ", "skeldir_change_feed_lag_seconds ",
		"skeldir_change_feed_consuming 1", `skeldir_change_feed_changes_total{outcome="applied"} ` + strconv.Itoa(2*n)} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("worker metrics lack %q", want)
		}
	}
}

func TestChangeFeedLosesAndRepeatsNothingWhenTheDaemonIsKilledMidStream(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	const n = 2000
	load := newPurchaseLoad(t, db, 5, n)
	api := startAPI(t, db)
	w := startFeedWorker(t, db)

	sent := make(chan struct{})
	go func() { defer close(sent); load.send(t, api, 0, n) }()
	// Kill the consumer once it has applied some, but not all, of the stream.
	deadline := time.Now().Add(3 * time.Minute)
	for readFeed(t, db).Changes <= n/4 {
		if time.Now().After(deadline) {
			t.Fatalf("the feed applied %+v within 3 minutes\n%s", readFeed(t, db), w.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.Kill(t)
	before := readFeed(t, db)
	<-sent
	if before.Changes >= 2*n {
		t.Fatalf("the feed had applied everything (%+v) before the kill: nothing was mid-stream", before)
	}
	startFeedWorker(t, db)
	waitFor(t, 2*time.Minute, "the restarted feed to catch up", func() bool {
		f := readFeed(t, db)
		return f.Changes >= f.Events
	})
	load.waitConverged(t, db, 3*time.Minute)
	f := readFeed(t, db)
	if f.Events != 2*n || f.Changes != 2*n {
		t.Errorf("after the kill and restart: %d changes applied for %d events and ledger rows (%d resent and skipped); want exactly %d",
			f.Changes, f.Events, f.Skipped, 2*n)
	}
	t.Logf("killed at %d applied changes; after restart %d applied, %d resent and skipped", before.Changes, f.Changes, f.Skipped)
}

// A leader that stops cleanly resigns both its leaderships: a standby takes
// over the feed and the scheduler at once, not when the leases (15 s and
// 5 s) run out.
func TestChangeFeedAndSchedulerPassToAStandbyAtOnceWhenTheLeaderStops(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	leader := startFeedWorker(t, db)
	standby := startDaemon(t, db, "worker", "FEED_DATABASE_URL="+db.URL(testdb.Feed))
	waitFor(t, 20*time.Second, "the standby to run for the feed", func() bool {
		return strings.Contains(standby.Logs(), `"msg":"change feed on`)
	})
	time.Sleep(2 * time.Second) // a few elections the standby loses
	if strings.Contains(standby.Logs(), "leadership taken") || strings.Contains(standby.Logs(), `"leader":true`) {
		t.Fatalf("the standby led while the leader ran:\n%s", standby.Logs())
	}

	// A daemon's id (its dispatcher's, under which it also campaigns) ends
	// in its pid and 8 hex digits.
	idOf := func(d *testdaemon.Daemon) string { return "-" + strconv.Itoa(d.PID()) + "-[0-9a-f]{8}$" }
	holds := func(d *testdaemon.Daemon, name string) bool {
		return count(t, db, `SELECT count(*) FROM skeldir.leaders WHERE name = $1 AND expires_at > now()
		                       AND leader_id ~ $2`, name, idOf(d)) == 1
	}
	if !holds(leader, "change_feed") || !holds(leader, "scheduler") {
		t.Fatalf("the first worker does not lead both the feed and the scheduler:\n%s", leader.Logs())
	}
	leader.Stop(t)
	stopped := time.Now()
	for _, name := range []string{"change_feed", "scheduler"} {
		if holds(leader, name) {
			t.Errorf("the stopped leader still holds the %s lease: it did not resign", name)
		}
	}
	waitFor(t, 5*time.Second, "the standby to stream and schedule", func() bool {
		return strings.Contains(standby.Logs(), `"msg":"change feed streaming"`) && holds(standby, "scheduler")
	})
	t.Logf("the standby leads %v after the leader stopped", time.Since(stopped).Round(100*time.Millisecond))
	if !holds(standby, "change_feed") || count(t, db, "SELECT count(*) FROM skeldir.change_feed WHERE leader ~ $1",
		idOf(standby)) != 1 {
		t.Errorf("the standby streams without leading the feed or without having started it")
	}
}

// A leader that cannot renew its lease (here an operator gave it to another
// daemon) stops streaming at its next heartbeat, and streams again once it
// is elected again.
func TestChangeFeedStopsStreamingWhenItCannotRenewItsLease(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	w := startFeedWorker(t, db)
	db.Exec(t, "UPDATE skeldir.leaders SET leader_id = 'another-daemon', expires_at = now() + interval '1 minute' WHERE name = 'change_feed'")
	waitFor(t, 10*time.Second, "the feed to stop streaming", func() bool {
		return strings.Contains(w.Logs(), "change feed leadership lost") && strings.Contains(w.Logs(), `"msg":"change feed stopped"`)
	})
	db.Exec(t, "DELETE FROM skeldir.leaders WHERE name = 'change_feed'")
	waitFor(t, 10*time.Second, "the feed to stream again", func() bool {
		return strings.Count(w.Logs(), `"msg":"change feed streaming"`) == 2
	})
}

func TestChangeFeedFallsBackToTransactionalEnqueueWithoutLogicalWAL(t *testing.T) {
	t.Parallel()
	db := testdb.NewWALReplica(t)
	// Without the feed, the ingest path asks for realtime revenue itself:
	// no pulse may do it for it.
	db.Exec(t, "UPDATE skeldir.schedules SET enabled = false WHERE kind = 'matview.pulse'")
	const n = 1500
	load := newPurchaseLoad(t, db, 10, n)
	api := startAPI(t, db)
	w := startDaemon(t, db, "worker", "FEED_DATABASE_URL="+db.URL(testdb.Feed))
	waitFor(t, 20*time.Second, "the worker to log its mode", func() bool { return strings.Contains(w.Logs(), `"mode":"fallback"`) })
	if !strings.Contains(w.Logs(), "wal_level is replica, not logical") || strings.Count(w.Logs(), `"mode":"fallback"`) != 1 {
		t.Errorf("the worker should log once that it falls back because of wal_level:\n%s", w.Logs())
	}

	began := time.Now()
	load.send(t, api, 0, n)
	took := time.Since(began)
	load.waitConverged(t, db, 3*time.Minute)
	f := readFeed(t, db)
	if f.Mode != "fallback" || f.Changes != 0 {
		t.Errorf("feed %+v: want fallback, nothing applied by a feed", f)
	}
	// The fallback path coalesces as the feed does: at most one recompute
	// job per tenant-day per 2 s of the run.
	recomputes := count(t, db, "SELECT count(*) FROM skeldir.jobs WHERE kind = 'attribution.recompute'")
	days := count(t, db, `SELECT count(DISTINCT (tenant_id, (occurred_at AT TIME ZONE 'UTC')::date))
	                        FROM skeldir.attribution_events WHERE event_type = 'purchase'`)
	if bound := min(days*(int(took/(2*time.Second))+2), n/2); recomputes == 0 || recomputes > bound {
		t.Errorf("%d recompute jobs for %d purchases on %d tenant-days in %v: want at most %d",
			recomputes, n, days, took.Round(time.Second), bound)
	}
	resp, body := api.Do(t, "GET", "/health/ready", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"change_feed":"fallback"`) {
		t.Errorf("ready: %d %s, want 200 with change_feed fallback", resp.StatusCode, body)
	}
}

// The feed streams only as a login the server lets replicate the worker's
// own database; otherwise the worker says why, once, and falls back.
func TestChangeFeedFallsBackWithoutAReplicationLoginForTheWorkersDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, feedURL, reason string }{
		{"unset", "", "no login for the change feed is configured (FEED_DATABASE_URL)"},
		{"worker login", "worker", "login skeldird_worker may not open a replication connection"},
		{"another database", "other", "login skeldird_feed reaches database "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t)
			var env []string
			switch c.feedURL {
			case "worker":
				env = append(env, "FEED_DATABASE_URL="+db.URL(testdb.Worker))
			case "other":
				env = append(env, "FEED_DATABASE_URL="+testdb.New(t).URL(testdb.Feed))
			}
			w := startDaemon(t, db, "worker", env...)
			waitFor(t, 20*time.Second, "the worker to log its mode", func() bool { return strings.Contains(w.Logs(), `"mode":"fallback"`) })
			if !strings.Contains(w.Logs(), c.reason) || strings.Count(w.Logs(), `"mode":"fallback"`) != 1 {
				t.Errorf("the worker should log once that it falls back because %s:\n%s", c.reason, w.Logs())
			}
			if f := readFeed(t, db); f.Mode != "fallback" {
				t.Errorf("feed %+v: want fallback", f)
			}
		})
	}
}
