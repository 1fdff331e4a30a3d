// Package storm is the ingestion storm harness: the six scenarios of the
// seed's R3 "ingestion under fire", and one over twenty tenants, run against
// the real daemon and database, then the database is asked what it holds.
// `make test` runs it small;
// `make storm` runs it at 10,000 deliveries per scenario, 200 at a time.
package storm

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skeldir/skeldir/internal/loadgen"
	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

var (
	perScenario = flag.Int("storm.n", 400, "deliveries per scenario")
	concurrency = flag.Int("storm.c", 50, "deliveries in flight at once")
)

type tenant struct {
	ID      string            `json:"tenant_id"`
	Key     string            `json:"api_key"`
	Secrets map[string]string `json:"webhook_secrets"`
}

func (tn tenant) request(vendor, route string, body []byte) loadgen.Request {
	h := signing.Headers(vendor, tn.Secrets[vendor], body, time.Now())
	h["X-Skeldir-Tenant-Key"] = tn.Key
	h["Content-Type"] = "application/json"
	return loadgen.Request{Path: "/api/webhooks/" + vendor + "/" + route, Header: h, Body: body}
}

func order(id int) []byte {
	return []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "129.99", "currency": "USD", "created_at": "2026-11-26T10:00:00Z", "note_attributes": [{"name": "utm_source", "value": "google"}, {"name": "utm_medium", "value": "cpc"}]}`, id, id))
}

func paymentIntentWithPII(id int) []byte {
	return []byte(fmt.Sprintf(`{"id": "evt_%d", "type": "payment_intent.succeeded", "created": 1764150000, "data": {"object": {"id": "pi_storm_%d", "object": "payment_intent", "amount": 4999, "amount_received": 4999, "currency": "usd", "receipt_email": "buyer%d@example.com", "shipping": {"name": "Buyer", "phone": "+15555550100", "address": {"line1": "1 Main St"}}, "latest_charge": {"billing_details": {"email": "buyer@example.com", "name": "Buyer"}, "IP_Address": "203.0.113.9"}, "metadata": {"order_id": "o%d", "customer_email": "x@example.com"}}}}`, id, id, id, id))
}

// malformed cycles through the ways a body can be unusable; i keeps each
// body distinct.
func malformed(i int) []byte {
	switch i % 5 {
	case 0:
		return []byte(fmt.Sprintf(`{"id": %d, "total_price": `, i))
	case 1:
		return []byte(fmt.Sprintf("{\"id\": %d, \"note\": \"\xff\"}", i))
	case 2:
		return []byte(fmt.Sprintf(`{"id": %d, "total_price": "-1.00", "currency": "USD"}`, i))
	case 3:
		return []byte(fmt.Sprintf(`{"id": %d, "total_price": "1.001", "currency": "USD"}`, i))
	default:
		return []byte(fmt.Sprintf(`{"id": %d, "total_price": "1.00", "currency": "QQQ"}`, i))
	}
}

// outcomes counts the "status" of 2xx answers.
type outcomes struct {
	mu sync.Mutex
	m  map[string]int
}

func (o *outcomes) inspect(_ int, status int, body []byte) {
	var b struct{ Status string }
	json.Unmarshal(body, &b)
	o.mu.Lock()
	o.m[fmt.Sprintf("%d %s", status, b.Status)]++
	o.mu.Unlock()
}

func TestStorm(t *testing.T) {
	db := testdb.New(t)
	d := testdaemon.Start(t, "api", append(db.Env(), "DATABASE_URL="+db.URL(testdb.API))...)
	admin := db.Pool(t, testdb.Admin)
	su := db.Pool(t, testdb.Superuser)
	newTenant := func(name string) tenant {
		var tn tenant
		if err := admin.QueryRow(context.Background(), "SELECT admin.create_tenant($1)", name).Scan(&tn); err != nil {
			t.Fatal(err)
		}
		return tn
	}
	query := func(sql string, args ...any) int {
		var n int
		if err := su.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	n := *perScenario
	// The "spread" scenario's tenants: its two and eighteen more.
	var spread []tenant

	scenarios := []struct {
		name   string
		next   func(tn, other tenant) func(i int) loadgen.Request
		verify func(tn, other tenant, seen map[string]int) error
	}{
		{"replay", func(tn, _ tenant) func(int) loadgen.Request {
			return func(int) loadgen.Request { return tn.request("shopify", "order_create", order(1)) }
		}, func(tn, _ tenant, seen map[string]int) error {
			events := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			ledger := query("SELECT count(*) FROM skeldir.revenue_ledger WHERE tenant_id = $1", tn.ID)
			if events != 1 || ledger != 1 || seen["200 accepted"] != 1 || seen["200 duplicate"] != n-1 {
				return fmt.Errorf("%d events, %d ledger rows, answers %v", events, ledger, seen)
			}
			return nil
		}},
		{"cross_tenant", func(tn, other tenant) func(int) loadgen.Request {
			return func(i int) loadgen.Request {
				if i%2 == 0 {
					return tn.request("shopify", "order_create", order(i/2))
				}
				return other.request("shopify", "order_create", order(i/2))
			}
		}, func(tn, other tenant, _ map[string]int) error {
			a := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			b := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", other.ID)
			shared := query(`SELECT count(*) FROM (SELECT idempotency_key FROM skeldir.attribution_events
			                  WHERE tenant_id IN ($1, $2) GROUP BY 1 HAVING count(*) = 2) AS k`, tn.ID, other.ID)
			if a != (n+1)/2 || b != n/2 || shared != n/2 {
				return fmt.Errorf("tenant A %d events, tenant B %d, %d keys in both; want %d, %d, %d", a, b, shared, (n+1)/2, n/2, n/2)
			}
			return nil
		}},
		{"malformed", func(tn, _ tenant) func(int) loadgen.Request {
			return func(i int) loadgen.Request { return tn.request("shopify", "order_create", malformed(i)) }
		}, func(tn, _ tenant, seen map[string]int) error {
			events := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			dead := query("SELECT count(*) FROM skeldir.dead_events WHERE tenant_id = $1", tn.ID)
			if events != 0 || dead != n || seen["200 dlq_routed"] != n {
				return fmt.Errorf("%d events, %d dead events, answers %v", events, dead, seen)
			}
			return nil
		}},
		{"pii", func(tn, _ tenant) func(int) loadgen.Request {
			return func(i int) loadgen.Request {
				return tn.request("stripe", "payment_intent/succeeded", paymentIntentWithPII(i))
			}
		}, func(tn, _ tenant, seen map[string]int) error {
			events := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			if events != n || seen["200 accepted"] != n {
				return fmt.Errorf("%d events, answers %v", events, seen)
			}
			return nil
		}},
		{"unique", func(tn, _ tenant) func(int) loadgen.Request {
			return func(i int) loadgen.Request { return tn.request("shopify", "order_create", order(i)) }
		}, func(tn, _ tenant, seen map[string]int) error {
			events := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			ledger := query("SELECT count(*) FROM skeldir.revenue_ledger WHERE tenant_id = $1", tn.ID)
			if events != n || ledger != n || seen["200 accepted"] != n {
				return fmt.Errorf("%d events, %d ledger rows, answers %v", events, ledger, seen)
			}
			// What the dashboard's realtime counter shows, after the refresh
			// the realtime job would run: every order once, at 129.99 USD.
			total, orders, err := dashboardRevenue(su, tn.ID)
			if want := fmt.Sprintf("%d.%02d", n*12999/100, n*12999%100); err != nil || total != want || orders != n {
				return fmt.Errorf("dashboard: revenue %s from %d orders (%v), want %s from %d", total, orders, err, want, n)
			}
			return nil
		}},
		// Unique orders over twenty tenants, in turn: on Citus they land on
		// every worker (make test-citus says where), each stored once.
		{"spread", func(tn, other tenant) func(int) loadgen.Request {
			spread = []tenant{tn, other}
			for len(spread) < 20 {
				spread = append(spread, newTenant(fmt.Sprintf("spread %d", len(spread))))
			}
			return func(i int) loadgen.Request {
				return spread[i%len(spread)].request("shopify", "order_create", order(i/len(spread)))
			}
		}, func(_, _ tenant, seen map[string]int) error {
			for k, tn := range spread {
				want := n / len(spread)
				if k < n%len(spread) {
					want++
				}
				if got := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID); got != want {
					return fmt.Errorf("tenant %d of %d: %d events, want %d", k+1, len(spread), got, want)
				}
			}
			if seen["200 accepted"] != n {
				return fmt.Errorf("answers %v", seen)
			}
			return nil
		}},
		{"mixed", func(tn, other tenant) func(int) loadgen.Request {
			return func(i int) loadgen.Request {
				switch i % 5 {
				case 0:
					return tn.request("shopify", "order_create", order(i))
				case 1:
					return tn.request("shopify", "order_create", order(i-1)) // a replay of case 0
				case 2:
					return tn.request("shopify", "order_create", malformed(i))
				case 3:
					return tn.request("stripe", "payment_intent/succeeded", paymentIntentWithPII(i))
				default:
					return other.request("shopify", "order_create", order(i-4)) // another tenant, same key
				}
			}
		}, func(tn, other tenant, seen map[string]int) error {
			count := func(mod int) int { return (n - mod + 4) / 5 }
			wantA := count(0) + count(3) // distinct orders + payment intents
			a := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID)
			b := query("SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", other.ID)
			dead := query("SELECT count(*) FROM skeldir.dead_events WHERE tenant_id = $1", tn.ID)
			if a != wantA || b != count(4) || dead != count(2) {
				return fmt.Errorf("tenant A %d events (want %d), tenant B %d (want %d), %d dead (want %d); answers %v",
					a, wantA, b, count(4), dead, count(2), seen)
			}
			return nil
		}},
	}

	t.Logf("%-13s %7s %5s %9s %8s %8s %5s %8s  %s", "scenario", "n", "conc", "rate/s", "p50", "p99", "5xx", "timeouts", "database")
	for _, s := range scenarios {
		tn, other := newTenant(s.name), newTenant(s.name+" (other)")
		seen := &outcomes{m: map[string]int{}}
		rep := loadgen.Run(context.Background(), loadgen.Options{
			BaseURL: d.BaseURL, Requests: n, Concurrency: *concurrency, Timeout: 30 * time.Second,
			Next: s.next(tn, other), Inspect: seen.inspect,
		})
		verdict := "exactly once"
		if err := s.verify(tn, other, seen.m); err != nil {
			verdict = err.Error()
			t.Errorf("%s: %v", s.name, err)
		}
		if rep.ServerErrors() > 0 || rep.Timeouts > 0 || rep.Errors > 0 {
			t.Errorf("%s: %d 5xx, %d timeouts, %d transport errors (statuses %v)", s.name, rep.ServerErrors(),
				rep.Timeouts, rep.Errors, rep.Status)
		}
		t.Logf("%-13s %7d %5d %9.0f %8s %8s %5d %8d  %s", s.name, n, *concurrency, rep.Rate(),
			rep.P50.Round(100*time.Microsecond), rep.P99.Round(100*time.Microsecond), rep.ServerErrors(), rep.Timeouts, verdict)
	}

	// Zero PII at rest: every JSON column of every table, every key, any depth.
	var columns []string
	rows, err := su.Query(context.Background(), `
		SELECT format('%s.%I', a.attrelid::regclass, a.attname)
		  FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid JOIN pg_namespace AS s ON s.oid = c.relnamespace
		 WHERE a.atttypid IN ('json'::regtype, 'jsonb'::regtype) AND a.attnum > 0 AND NOT a.attisdropped
		   AND c.relkind IN ('r', 'p') AND s.nspname NOT LIKE 'pg\_%' AND s.nspname <> 'information_schema'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		columns = append(columns, c)
	}
	// The scan proves nothing if it reads nothing: the events' payloads, at
	// least, are JSON.
	if rows.Err() != nil || !slices.Contains(columns, "skeldir.attribution_events.payload") {
		t.Fatalf("the PII scan found no JSON column to scan (%v, %v)", columns, rows.Err())
	}
	const piiPath = `strict $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "^(email|email_address|phone|phone_number|ssn|social_security_number|ip|ip_address|first_name|last_name|full_name|address|street_address|billing_address|shipping_address|customer_email|customer_phone|receipt_email)$" flag "i")`
	pii := 0
	for _, c := range columns {
		tbl, col := c[:strings.LastIndex(c, ".")], c[strings.LastIndex(c, ".")+1:]
		pii += query(fmt.Sprintf("SELECT count(*) FROM %s WHERE jsonb_path_exists(%s::jsonb, $1)", tbl, col), piiPath)
	}
	t.Logf("PII at rest: %d rows across %d JSON columns", pii, len(columns))
	if pii != 0 {
		t.Errorf("%d rows hold personal data", pii)
	}
}

// dashboardRevenue refreshes tenant's realtime revenue, as the job
// revenue.realtime does, and reads the dashboard's counter
// (skeldir.realtime_revenue_counter_for, behind GET /api/revenue/realtime):
// its total and the captures counted.
func dashboardRevenue(su *pgxpool.Pool, tenant string) (total string, orders int, err error) {
	ctx := context.Background()
	err = pgx.BeginFunc(ctx, su, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT skeldir.set_tenant_context($1, true), skeldir.refresh_realtime_revenue()", tenant); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT c.body ->> 'total_revenue', (c.body ->> 'event_count')::int
		                           FROM skeldir.realtime_revenue_counter_for($1) AS c`, tenant).Scan(&total, &orders)
	})
	return total, orders, err
}
