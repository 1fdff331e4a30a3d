package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// explanation is what both explain paths answer (the contract's
// EntityExplanation and AttributionExplanation, and our additions).
type explanation struct {
	EntityType  string `json:"entity_type"`
	EntityID    string `json:"entity_id"`
	Explanation string `json:"explanation"`
	Citations   []struct {
		Metric string          `json:"metric"`
		Value  json.RawMessage `json:"value"`
		Source string          `json:"source"`
	} `json:"citations"`
	Confidence string `json:"confidence"`
	Cached     bool   `json:"cached"`
}

var tableColumn = regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)

// isNumber reports whether a JSON value is a number (null is not).
func isNumber(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	_, ok := x.(float64)
	return ok
}

// explain GETs an explanation at both paths and checks what the contract
// requires of it: 200, 100 to 500 characters on /api/v1/explain and 150 to
// 500 on /api/attribution/explain, citations of a metric, a number and a
// table.column. (TestMain checks every response against our document too.)
func (dt dashboardTenant) explain(t *testing.T, d *testdaemon.Daemon, entityType, entityID string) explanation {
	t.Helper()
	var first explanation
	for i, prefix := range []string{"/api/v1/explain/", "/api/attribution/explain/"} {
		resp, body := dt.get(t, d, prefix+entityType+"/"+entityID, nil)
		var e explanation
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &e) != nil {
			t.Fatalf("GET %s%s/%s: %d %s", prefix, entityType, entityID, resp.StatusCode, body)
		}
		if n := utf8.RuneCountInString(e.Explanation); n < 150 || n > 500 {
			t.Errorf("%s %s: the explanation has %d characters, the contract wants 150 to 500: %q", entityType, entityID, n, e.Explanation)
		}
		if e.EntityType != entityType || e.EntityID != entityID || len(e.Citations) == 0 {
			t.Errorf("%s %s: %s", entityType, entityID, body)
		}
		for _, c := range e.Citations {
			if c.Metric == "" || !tableColumn.MatchString(c.Source) || !isNumber(c.Value) {
				t.Errorf("%s %s: a citation without a metric, a number and a table.column: %+v (value %s)", entityType, entityID, c, c.Value)
			}
		}
		if i == 0 {
			first = e
		} else if e.Explanation != first.Explanation {
			t.Errorf("%s %s: the two paths explain differently:\n%s\n%s", entityType, entityID, first.Explanation, e.Explanation)
		}
	}
	return first
}

// Every entity type the contract names is explained, each by the UUID the
// contract's entity_id is: a channel by the id GET /api/attribution/channels
// lists (or its code), a purchase by its event id, a budget recommendation
// by the job_id POST /api/budget/optimize answered, a reconciliation
// discrepancy by the id GET /api/reconciliation/platform/{platform_id}
// lists. Each is one audited LLM call, then cached.
func TestExplainEveryEntityTypeByItsUUID(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Explained", 12345)
	refreshViews(t, db)
	d := startAPI(t, db)
	ctx := context.Background()
	su := db.Pool(t, testdb.Superuser)

	// A budget optimization still queued has no recommendation yet.
	resp, body := a.get(t, d, "/api/v1/explain/budget_recommendation/"+a.budgetJob, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "is still running") {
		t.Errorf("explaining a queued budget optimization: %d %s, want 404 saying it is still running", resp.StatusCode, body)
	}
	db.Exec(t, "SELECT worker.execute(c.job_id, 'test') FROM worker.claim('llm', 10, 'test') AS c")

	// Channels: each code's id beside it.
	_, body = a.get(t, d, "/api/attribution/channels", nil)
	var channels struct {
		Channels []struct {
			Codes []string `json:"channels"`
			IDs   []string `json:"channel_ids"`
		} `json:"channels"`
	}
	if err := json.Unmarshal(body, &channels); err != nil || len(channels.Channels) == 0 {
		t.Fatalf("channels: %v %s", err, body)
	}
	var emailID string
	for _, row := range channels.Channels {
		if len(row.IDs) != len(row.Codes) {
			t.Fatalf("a channel row's ids do not match its codes: %s", body)
		}
		for i, code := range row.Codes {
			var want string
			if err := su.QueryRow(ctx, "SELECT skeldir.channel_id($1)::text", code).Scan(&want); err != nil || row.IDs[i] != want {
				t.Errorf("channel %s has id %s, want skeldir.channel_id: %s (%v)", code, row.IDs[i], want, err)
			}
			if code == "email" {
				emailID = row.IDs[i]
			}
		}
	}
	byID := a.explain(t, d, "channel_performance", emailID)
	byCode := a.explain(t, d, "channel_performance", "email")
	if byID.Explanation != byCode.Explanation || !strings.HasPrefix(byID.Explanation, "Email was credited 61.73 USD") {
		t.Errorf("a channel by id and by code:\n%s\n%s", byID.Explanation, byCode.Explanation)
	}

	var purchase string
	if err := su.QueryRow(ctx, "SELECT id::text FROM skeldir.attribution_events WHERE tenant_id = $1 AND event_type = 'purchase'",
		a.ID).Scan(&purchase); err != nil {
		t.Fatal(err)
	}
	if e := a.explain(t, d, "attribution_score", purchase); !strings.HasPrefix(e.Explanation, "This 123.45 USD purchase") {
		t.Errorf("a purchase: %s", e.Explanation)
	}

	if e := a.explain(t, d, "budget_recommendation", a.budgetJob); !strings.Contains(e.Explanation, "the 5000.00 USD budget") {
		t.Errorf("a budget recommendation: %s", e.Explanation)
	}

	// The seed's order was never captured by a processor: a ghost, listed
	// with its id by its shop.
	_, body = a.get(t, d, "/api/reconciliation/platform/shopify", nil)
	var shopify struct {
		Discrepancies []struct {
			ID, OrderID, Outcome string
		} `json:"discrepancies"`
	}
	json.Unmarshal(body, &shopify)
	if len(shopify.Discrepancies) != 1 || shopify.Discrepancies[0].Outcome != "ghost" {
		t.Fatalf("shopify's discrepancies: %s", body)
	}
	e := a.explain(t, d, "reconciliation_discrepancy", shopify.Discrepancies[0].ID)
	if !strings.HasPrefix(e.Explanation, `Shopify order "ord-1" of `) || !strings.Contains(e.Explanation, "claims 123.45 USD") ||
		!strings.Contains(e.Explanation, "a ghost order") {
		t.Errorf("a ghost order: %s", e.Explanation)
	}

	// Four distinct entities, four audited calls; everything else was cached.
	if n := count(t, db, "SELECT count(*) FROM skeldir.llm_api_calls WHERE tenant_id = $1 AND feature = 'explanation'", a.ID); n != 4 {
		t.Errorf("%d explanation calls audited, want 4 (one per entity; the rest from the cache)", n)
	}
	if again := a.explain(t, d, "reconciliation_discrepancy", shopify.Discrepancies[0].ID); !again.Cached {
		t.Errorf("the same discrepancy again is not from the cache")
	}

	// Ids that are not UUIDs are refused naming entity_id; UUIDs that name
	// nothing of the tenant's are not found.
	for path, want := range map[string]int{
		"/api/v1/explain/budget_recommendation/not-a-uuid":                                    http.StatusBadRequest,
		"/api/v1/explain/reconciliation_discrepancy/ord-1":                                    http.StatusBadRequest,
		"/api/v1/explain/reconciliation_discrepancy/00000000-0000-0000-0000-000000000000":     http.StatusNotFound,
		"/api/v1/explain/channel_performance/00000000-0000-0000-0000-000000000000":            http.StatusNotFound,
		"/api/attribution/explain/budget_recommendation/00000000-0000-0000-0000-00000000beef": http.StatusNotFound,
	} {
		if resp, body := a.get(t, d, path, nil); resp.StatusCode != want {
			t.Errorf("GET %s: %d %s, want %d", path, resp.StatusCode, body, want)
		}
	}
}

// Reconciliation answers carry the contract's required last_sync on every
// platform and a last_full_sync date-time: before the first completed run,
// when the tenant was created; after it, when the run finished.
func TestReconciliationLastSyncBeforeAndAfterTheFirstRun(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	synced := seedDashboardTenant(t, db, "Synced", 5000)
	refreshViews(t, db)
	d := startAPI(t, db)
	fresh := userOf(t, db, createTenant(t, db, "Never synced"), "never@example.com")
	ctx := context.Background()
	su := db.Pool(t, testdb.Superuser)

	type overview struct {
		Platforms []struct {
			Platform string    `json:"platform"`
			LastSync time.Time `json:"last_sync"`
		} `json:"platforms"`
		LastFullSync time.Time `json:"last_full_sync"`
	}
	for _, c := range []struct {
		name string
		dt   dashboardTenant
		sql  string
		what string
	}{
		{"a tenant that never synced", fresh, "SELECT created_at FROM skeldir.tenants WHERE id = $1", "the tenant's creation"},
		{"a synced tenant", synced, "SELECT finished_at FROM skeldir.reconciliation_runs WHERE tenant_id = $1 AND status = 'completed'", "the run's end"},
	} {
		var want time.Time
		if err := su.QueryRow(ctx, c.sql, c.dt.ID).Scan(&want); err != nil {
			t.Fatal(err)
		}
		resp, body := c.dt.get(t, d, "/api/reconciliation/status", nil)
		var o overview
		if resp.StatusCode != 200 || json.Unmarshal(body, &o) != nil || len(o.Platforms) != 4 || !o.LastFullSync.Equal(want) {
			t.Errorf("%s: last_full_sync should be %s (%v): %d %s", c.name, c.what, want, resp.StatusCode, body)
		}
		for _, p := range o.Platforms {
			if !p.LastSync.Equal(want) {
				t.Errorf("%s: %s last synced %v, want %s (%v)", c.name, p.Platform, p.LastSync, c.what, want)
			}
			resp, body := c.dt.get(t, d, "/api/reconciliation/platform/"+p.Platform, nil)
			var one struct {
				LastSync      time.Time         `json:"last_sync"`
				Discrepancies []json.RawMessage `json:"discrepancies"`
			}
			if resp.StatusCode != 200 || json.Unmarshal(body, &one) != nil || !one.LastSync.Equal(want) || one.Discrepancies == nil {
				t.Errorf("%s: GET /api/reconciliation/platform/%s: %d %s", c.name, p.Platform, resp.StatusCode, body)
			}
		}
	}
}

// An investigation's evidence values are numbers, as the contract requires,
// also where a refund rate would divide by zero: refunds on a day without
// captures. (TestMain holds every evidence item to our document's schema.)
func TestOpenAPIInvestigationEvidenceIsAlwaysANumber(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Refunded", 5000)
	db.Exec(t, `INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
	              event_id, occurred_at)
	            SELECT tenant_id, vendor, 'refund-1', 'refunded', order_id, 1500, currency, id, '2026-01-15 12:00Z'
	              FROM skeldir.attribution_events WHERE tenant_id = $1 AND event_type = 'purchase'`, a.ID)
	d := startAPI(t, db)

	code, _, body := postJSON(t, d, "/api/investigations", map[string]any{
		"question": "What happened to refunds in mid January?",
		"context":  map[string]any{"date_range": map[string]string{"start_date": "2026-01-10", "end_date": "2026-01-20"}},
	}, bearer(a.token))
	var started struct {
		ID string `json:"investigation_id"`
	}
	if code != http.StatusAccepted || json.Unmarshal(body, &started) != nil {
		t.Fatalf("POST /api/investigations: %d %s", code, body)
	}
	db.Exec(t, "SELECT worker.execute(c.job_id, 'test') FROM worker.claim('llm', 10, 'test') AS c")
	resp, body := a.get(t, d, "/api/investigations/"+started.ID+"/status", nil)
	var status struct {
		Status   string `json:"status"`
		Findings []struct {
			Finding  string `json:"finding"`
			Evidence []struct {
				Metric string          `json:"metric"`
				Value  json.RawMessage `json:"value"`
			} `json:"evidence"`
		} `json:"findings"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &status) != nil || status.Status != "complete" {
		t.Fatalf("investigation status: %d %s", resp.StatusCode, body)
	}
	var spike string
	for _, f := range status.Findings {
		for _, e := range f.Evidence {
			if !isNumber(e.Value) {
				t.Errorf("finding %q: evidence %s is %s, not a number", f.Finding, e.Metric, e.Value)
			}
			if e.Metric == "captured_revenue_2026-01-15" {
				spike = fmt.Sprintf("%s = %s", e.Metric, e.Value)
			}
		}
	}
	if spike != "captured_revenue_2026-01-15 = 0.00" {
		t.Errorf("the refund spike of a day without captures should cite that day's captures (0.00), not a rate: %s", body)
	}
}
