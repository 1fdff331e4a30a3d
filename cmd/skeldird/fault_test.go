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
// stream in and a dashboard user reads, the daemon's connections are killed (as a crash or an
// immediate shutdown kills them: 57P01, or a dropped socket) and new ones
// refused (the database's CONNECTION LIMIT 0: 53300), three times over.
// Every answer is a 2xx or a 503 with Retry-After, never a 500; every 2xx
// is stored, and once the senders retry their 503s every delivery is
// stored exactly once.
func TestKilledAndRefusedConnectionsAnswer503AndLoseNothing(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	tn := createTenant(t, db, "Under fire")
	d := startAPI(t, db, "SKELDIR_DB_MAX_CONNS=6", "SKELDIR_INGEST_WORKERS=2")
	su := db.Pool(t, testdb.Superuser)
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
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := 700000 + s*each + i
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
	// A dashboard user reads along.
	reader := userOf(t, db, tn, "fire@example.com")
	reads := map[int]int{}
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

	stored := func(id int) (n int) {
		if err := su.QueryRow(ctx, `SELECT count(*) FROM skeldir.attribution_events
		                              WHERE tenant_id = $1 AND external_id = $2`, tn.ID, fmt.Sprint(id)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for id, code := range answered {
		if code/100 == 2 {
			if n := stored(id); n != 1 {
				t.Errorf("delivery %d answered %d but is stored %d times", id, code, n)
			}
		}
	}
	// The senders retry what was refused: each ends up stored once,
	// answered duplicate where the refused attempt had in fact committed.
	for id, code := range answered {
		if code != 503 {
			continue
		}
		if again, _ := send(id); again/100 != 2 {
			t.Errorf("delivery %d retried after the faults: %d", id, again)
		}
		if n := stored(id); n != 1 {
			t.Errorf("delivery %d is stored %d times after its retry", id, n)
		}
	}
}
