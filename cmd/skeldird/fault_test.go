package main_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdb"
)

// Acceptance 5 (issue 13), on this test's own database: while webhooks
// stream in and a dashboard user reads, the daemon's connections are killed
// (57P01, as an immediate shutdown kills them) and new ones refused (the
// database's CONNECTION LIMIT 0: 53300), three times over.
func TestKilledAndRefusedConnectionsAnswer503AndLoseNothing(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	su := db.Pool(t, testdb.Superuser)
	ctx := context.Background()
	underFire(t, db, 700000, func() {
		for round := 0; round < 3; round++ {
			time.Sleep(150 * time.Millisecond)
			if _, err := su.Exec(ctx, "ALTER DATABASE "+db.Name+" CONNECTION LIMIT 0"); err != nil {
				t.Fatal(err)
			}
			var killed int
			if err := su.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			                             WHERE datname = $1 AND usename = $2`, db.Name, testdb.API).Scan(&killed); err != nil || killed == 0 {
				t.Fatalf("round %d: killed %d of the daemon's connections (%v)", round, killed, err)
			}
			time.Sleep(300 * time.Millisecond)
			if _, err := su.Exec(ctx, "ALTER DATABASE "+db.Name+" CONNECTION LIMIT -1"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// The same on a cluster of its own that crashes: PostgreSQL stops as a
// crash stops it (pg_ctl stop -m immediate) mid-storm and starts again,
// twice, and in between the API's login is refused (ALTER ROLE ...
// CONNECTION LIMIT 0, which only this cluster's tests may do). While the
// server is down or recovering, requests meet refused connections (08*),
// "the database system is starting up" (57P03) or cut ones (57P01).
func TestDatabaseCrashAndRefusedLoginAnswer503AndLoseNothing(t *testing.T) {
	t.Parallel()
	db, crash := testdb.NewCrashable(t)
	ctx := context.Background()
	underFire(t, db, 800000, func() {
		time.Sleep(200 * time.Millisecond)
		crash(700 * time.Millisecond)
		time.Sleep(300 * time.Millisecond)
		su := db.Pool(t, testdb.Superuser)
		retry(t, func() error { _, err := su.Exec(ctx, "ALTER ROLE "+testdb.API+" CONNECTION LIMIT 0"); return err })
		retry(t, func() error {
			_, err := su.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, testdb.API)
			return err
		})
		time.Sleep(300 * time.Millisecond)
		retry(t, func() error { _, err := su.Exec(ctx, "ALTER ROLE "+testdb.API+" CONNECTION LIMIT -1"); return err })
		time.Sleep(200 * time.Millisecond)
		crash(500 * time.Millisecond)
	})
}

// underFire runs one tenant's storm against a daemon serving db while
// faults runs: six senders each post 150 Shopify orders (ids from firstID)
// and a dashboard user reads 150 times. Every answer must be a 2xx or a 503
// with Retry-After, never a 500; at least one delivery must meet a refusal
// (or the faults did not bite); every 2xx is stored once; and once the
// senders retry what was refused, every delivery is stored exactly once,
// answered duplicate where the refused attempt had in fact committed.
func underFire(t *testing.T, db *testdb.DB, firstID int, faults func()) {
	t.Helper()
	tn := createTenant(t, db, "Under fire")
	reader := userOf(t, db, tn, "fire@example.com")
	d := startAPI(t, db, "SKELDIR_DB_MAX_CONNS=6", "SKELDIR_INGEST_WORKERS=2")
	ctx := context.Background()

	send := func(id int) (int, string) {
		body := []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "19.99", "currency": "USD", "created_at": "2026-11-26T10:00:00Z"}`, id, id))
		h := signing.Headers("shopify", tn.Secrets["shopify"], body, time.Now())
		h["X-Skeldir-Tenant-Key"], h["Content-Type"] = tn.Key, "application/json"
		resp, _ := d.Do(t, "POST", "/api/webhooks/shopify/order_create", body, h)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}

	const senders, each = 6, 150
	var mu sync.Mutex
	answered := map[int]int{} // delivery id -> status
	reads := map[int]int{}    // status -> count
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := firstID + s*each + i
				code, retryAfter := send(id)
				if code == 503 && retryAfter == "" {
					t.Errorf("delivery %d: 503 without Retry-After", id)
				}
				mu.Lock()
				answered[id] = code
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		}(s)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 150; i++ {
			resp, _ := reader.get(t, d, "/api/attribution/channels", nil)
			if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
				t.Errorf("dashboard read: 503 without Retry-After")
			}
			mu.Lock()
			reads[resp.StatusCode]++
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	faults()
	wg.Wait()

	counts := map[int]int{}
	refused := 0
	for id, code := range answered {
		counts[code]++
		switch {
		case code == 503:
			refused++
		case code < 200 || code > 299:
			t.Errorf("delivery %d answered %d; want a 2xx or a 503", id, code)
		}
	}
	t.Logf("webhook answers: %v; dashboard answers: %v", counts, reads)
	for code := range reads {
		if code != 200 && code != 503 {
			t.Errorf("a dashboard read answered %d; want 200 or 503", code)
		}
	}
	if refused == 0 {
		t.Fatalf("no delivery met a refused connection (%v): the faults did not bite", counts)
	}

	su := db.Pool(t, testdb.Superuser)
	stored := func(id int) (n int) {
		retry(t, func() error {
			return su.QueryRow(ctx, `SELECT count(*) FROM skeldir.attribution_events
			                          WHERE tenant_id = $1 AND external_id = $2`, tn.ID, fmt.Sprint(id)).Scan(&n)
		})
		return n
	}
	for id, code := range answered {
		if code/100 == 2 {
			if n := stored(id); n != 1 {
				t.Errorf("delivery %d answered %d but is stored %d times", id, code, n)
			}
		}
	}
	// A sender retries a 503 after its Retry-After: right after the last
	// crash the daemon's pool may still hold a connection that died with
	// the server, and a loaded machine may still be recovering.
	for id, code := range answered {
		if code != 503 {
			continue
		}
		again, _ := send(id)
		for attempt := 0; again == 503 && attempt < 20; attempt++ {
			time.Sleep(100 * time.Millisecond)
			again, _ = send(id)
		}
		if again/100 != 2 {
			t.Errorf("delivery %d retried after the faults: %d", id, again)
		}
		if n := stored(id); n != 1 {
			t.Errorf("delivery %d is stored %d times after its retry", id, n)
		}
	}
}

// retry runs a statement of the test's own until it goes through: after a
// crash, the pool's first connections are dead ones.
func retry(t *testing.T, do func() error) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if err = do(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("after a crash, the test's own statement still fails: %v", err)
}
