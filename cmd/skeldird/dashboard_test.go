package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// dashboardTenant is a tenant with a purchase worth cents a few days ago
// (touched by email and organic), its ledger row, allocations, a completed
// reconciliation, an investigation and a budget optimization.
type dashboardTenant struct {
	tenant
	cents                    int
	investigation, budgetJob string
	token                    string
}

func seedDashboardTenant(t *testing.T, db *testdb.DB, name string, cents int) dashboardTenant {
	t.Helper()
	dt := dashboardTenant{tenant: createTenant(t, db, name), cents: cents}
	ctx := context.Background()
	var user struct {
		ID string `json:"user_id"`
	}
	if err := db.Pool(t, testdb.Admin).QueryRow(ctx, "SELECT admin.create_user($1, $2, 'a long enough password')",
		dt.ID, strings.ReplaceAll(strings.ToLower(name), " ", "-")+"@example.com").Scan(&user); err != nil || user.ID == "" {
		t.Fatalf("create user: %v %+v", err, user)
	}
	dt.token = db.AccessToken(t, dt.ID, user.ID)
	su := db.Pool(t, testdb.Superuser)
	conn, err := su.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, sql := range []string{
		`SELECT set_config('app.current_tenant_id', $1, false)`,
		`INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
		   external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
		 VALUES ($1::uuid, 'touch-' || $1::text, gen_random_uuid(), 'shopify', 'checkouts/update', 'checkout', 'chk-1', NULL,
		         'sess-1', 0, NULL, 'organic', now() - interval '4 days', '{}'),
		        ($1::uuid, 'order-' || $1::text, gen_random_uuid(), 'shopify', 'orders/create', 'purchase', 'ord-1', 'ord-1',
		         'sess-1', $2, 'USD', 'email', now() - interval '3 days', '{}')`,
		`INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
		   event_id, occurred_at)
		 SELECT tenant_id, vendor, external_id, 'captured', order_id, revenue_cents, currency, id, occurred_at
		   FROM skeldir.attribution_events WHERE tenant_id = $1::uuid AND event_type = 'purchase'`,
		`SELECT skeldir.recompute_attribution(now() - interval '30 days', now() + interval '1 day') WHERE $1::text <> ''`,
		`SELECT skeldir.request_reconciliation('-infinity', 'infinity') WHERE $1::text <> ''`,
		`SELECT worker.execute(c.job_id, 'seed') FROM worker.claim('attribution', 10, 'seed') AS c WHERE $1::text <> ''`,
	} {
		args := []any{dt.ID}
		if strings.Contains(sql, "$2") {
			args = append(args, cents)
		}
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("seed %s: %v\n%s", name, err, sql)
		}
	}
	if err := su.QueryRow(ctx, "SELECT api.start_investigation($1, 'Why did revenue move this week?', NULL, gen_random_uuid())",
		dt.token).Scan(&dt.investigation); err != nil {
		t.Fatal(err)
	}
	if err := su.QueryRow(ctx, "SELECT api.start_budget_optimization($1, 5000, 'maximize_revenue', NULL, gen_random_uuid())",
		dt.token).Scan(&dt.budgetJob); err != nil {
		t.Fatal(err)
	}
	return dt
}

func refreshViews(t *testing.T, db *testdb.DB) {
	t.Helper()
	db.Exec(t, "SELECT skeldir.refresh_matview(name) FROM skeldir.matviews")
	db.Exec(t, `SELECT set_config('app.current_tenant_id', id::text, true), skeldir.refresh_realtime_revenue()
	              FROM unnest(skeldir.tenant_ids()) AS id`)
}

func (dt dashboardTenant) get(t *testing.T, d *testdaemon.Daemon, path string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + dt.token}
	for k, v := range header {
		h[k] = v
	}
	return d.Do(t, "GET", path, nil, h)
}

func TestATokenForOneTenantNeverYieldsAnothersData(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Tenant A", 12345)
	b := seedDashboardTenant(t, db, "Tenant B", 77777)
	refreshViews(t, db)
	d := startAPI(t, db)

	routes := tokenGETRoutes(t, d, map[string]string{
		"{job_id}": a.budgetJob, "{investigation_id}": a.investigation, "{platform_id}": "shopify",
		"{entity_type}": "channel_performance", "{entity_id}": "email",
	})
	if len(routes) < 14 {
		t.Fatalf("only %d GET routes behind a token in /openapi.json: %v", len(routes), routes)
	}
	for _, route := range routes {
		resp, body := a.get(t, d, route, nil)
		if resp.StatusCode >= 300 {
			t.Errorf("GET %s as A: %d %s", route, resp.StatusCode, body)
			continue
		}
		if route == "/api/export/excel" {
			body = xlsxText(t, body)
		}
		for _, secret := range []string{b.ID, "777.77", "77777", b.investigation, b.budgetJob} {
			if strings.Contains(string(body), secret) {
				t.Errorf("GET %s as A shows B's %q: %s", route, secret, body)
			}
		}
	}
	// B's records, addressed by id with A's token, do not exist for A.
	for _, route := range []string{"/api/budget/recommendations/" + b.budgetJob,
		"/api/investigations/" + b.investigation + "/status"} {
		if resp, body := a.get(t, d, route, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s (B's) as A: %d %s", route, resp.StatusCode, body)
		}
	}
	// And A's own numbers are there.
	_, body := a.get(t, d, "/api/attribution/revenue/realtime", nil)
	var counter struct {
		TotalRevenue float64 `json:"total_revenue"`
		TenantID     string  `json:"tenant_id"`
		EventCount   int     `json:"event_count"`
	}
	if json.Unmarshal(body, &counter) != nil || counter.TotalRevenue != 123.45 || counter.TenantID != a.ID || counter.EventCount != 1 {
		t.Errorf("A's realtime revenue: %s", body)
	}
	for _, route := range []string{"/api/export/csv", "/api/export/json"} {
		if _, body := a.get(t, d, route, nil); !strings.Contains(string(body), "123.45") {
			t.Errorf("GET %s as A lacks A's own purchase: %s", route, body)
		}
	}
	// Without a token, or with a forged one, nothing.
	for _, auth := range []string{"", "Bearer not.a.token", "Basic " + a.token} {
		resp, _ := d.Do(t, "GET", "/api/attribution/revenue/realtime", nil, map[string]string{"Authorization": auth})
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d", auth, resp.StatusCode)
		}
	}
}

func TestRealtimeRevenueETagChangesWithTheNumbersOnly(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Tenant A", 5000)
	refreshViews(t, db)
	d := startAPI(t, db)

	resp, _ := a.get(t, d, "/api/attribution/revenue/realtime", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || resp.Header.Get("Cache-Control") != "private, max-age=30" {
		t.Fatalf("first read: %d ETag %q Cache-Control %q", resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
	}
	resp, body := a.get(t, d, "/api/attribution/revenue/realtime", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etag {
		t.Fatalf("same data: %d %q %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	refreshViews(t, db) // a refresh that finds nothing new keeps the tag
	if resp, _ := a.get(t, d, "/api/attribution/revenue/realtime", map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("after a refresh with the same data: %d", resp.StatusCode)
	}

	db.Exec(t, `INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents,
	              currency, event_id, occurred_at)
	            SELECT tenant_id, vendor, 'second', 'captured', 'ord-2', 999, 'USD', id, now()
	              FROM skeldir.attribution_events WHERE tenant_id = $1::uuid AND event_type = 'purchase'`, a.ID)
	if resp, _ := a.get(t, d, "/api/attribution/revenue/realtime", map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("new purchase before the refresh: %d (the counter is the view's)", resp.StatusCode)
	}
	refreshViews(t, db)
	resp, body = a.get(t, d, "/api/attribution/revenue/realtime", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag || !strings.Contains(string(body), `"total_revenue": 59.99`) {
		t.Fatalf("new purchase after the refresh: %d ETag %q %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
}

func TestDashboardBadInputIsAProblemNamingTheField(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Tenant A", 5000)
	d := startAPI(t, db)

	cases := []struct {
		method, path, body, field string
	}{
		{"GET", "/api/attribution/channels?start_date=2026-13-45", "", "start_date"},
		{"GET", "/api/attribution/channels?end_date=yesterday", "", "end_date"},
		{"GET", "/api/attribution/channels?start_date=2026-02-01&end_date=2026-01-01", "", "start_date"},
		{"GET", "/api/attribution/channels?model=bogus", "", "model"},
		{"GET", "/api/attribution/channels?currency=XYZ", "", "currency"},
		{"GET", "/api/budget/recommendations/not-a-uuid", "", "job_id"},
		{"GET", "/api/investigations/1234/status", "", "investigation_id"},
		{"POST", "/api/investigations", `{}`, "question"},
		{"POST", "/api/investigations", `{"question": 5}`, "question"},
		{"POST", "/api/budget/optimize", `{"optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": "lots", "optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": 5000}`, "optimization_goal"},
		{"POST", "/api/reconciliation/sync", `{"start_date": "soon"}`, "start_date"},
		{"POST", "/api/investigations", `{"question": "why?"}`, "question"},
		{"POST", "/api/investigations", `{"question": "Why did revenue move?", "context": {"channels": ["myspace"]}}`, "channels"},
		{"POST", "/api/budget/optimize", `{"total_budget": 10, "optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": 5000, "optimization_goal": "go_viral"}`, "optimization_goal"},
		{"POST", "/api/budget/optimize", `{"total_budget": 1e309, "optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": 12345678901234567890123456789012345678, "optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": 1` + strings.Repeat("0", 400) + `, "optimization_goal": "maximize_revenue"}`, "total_budget"},
		{"POST", "/api/budget/optimize", `{"total_budget": 5000, "optimization_goal": "maximize_revenue", "constraints": {"channel_maximums": {"facebook_paid": 1e40}}}`, "constraints"},
		{"GET", "/api/v1/explain/horoscope/email", "", "entity_type"},
		{"GET", "/api/v1/explain/attribution_score/not-a-uuid", "", "entity_id"},
		{"GET", "/api/attribution/explain/channel_performance/myspace", "", "entity_id"},
	}
	for _, c := range cases {
		resp, body := d.Do(t, c.method, c.path, []byte(c.body), map[string]string{"Authorization": "Bearer " + a.token})
		var p struct {
			Status int
			Errors []struct{ Field string }
		}
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(body, &p) != nil || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
			t.Errorf("%s %s %s: %d %s, want 400 naming %s", c.method, c.path, c.body, resp.StatusCode, body, c.field)
		}
	}
	// Unknown records are 404s, and nothing is a 500: nor is a budget
	// optimization that has not completed (there is no recommendation yet).
	if resp, body := a.get(t, d, "/api/v1/explain/budget_recommendation/"+a.budgetJob, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("explaining a budget optimization still queued: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/api/reconciliation/platform/myspace",
		fmt.Sprintf("/api/investigations/%s/status", "00000000-0000-0000-0000-00000000beef")} {
		if resp, body := a.get(t, d, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}

func TestAPIHealthReportsEachService(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	refreshViews(t, db)
	d := startAPI(t, db)
	for path, want := range map[string]string{"/api/health/live": `{"alive":true}`, "/api/health/ready": `{"ready":true}`} {
		if resp, body := d.Do(t, "GET", path, nil, nil); resp.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body := d.Do(t, "GET", "/api/health", nil, nil)
	var h struct {
		Status   string
		Services map[string]string
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &h) != nil || h.Status != "healthy" ||
		h.Services["database"] != "up" || h.Services["queue"] != "up" || h.Services["cache"] != "up" {
		t.Errorf("GET /api/health: %d %s", resp.StatusCode, body)
	}
	if resp, _ := d.Do(t, "GET", "/api/health/detailed", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/health/detailed without a token: %d", resp.StatusCode)
	}
}

// xlsxText is the text of every cell of a workbook (read by excelize), one
// line per row.
func xlsxText(t *testing.T, workbook []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(workbook))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	var text bytes.Buffer
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("the workbook's sheet %s does not read: %v", sheet, err)
		}
		for _, row := range rows {
			text.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	return text.Bytes()
}

// tokenGETRoutes lists every GET route of the daemon's own OpenAPI document
// that takes a bearer token, its path parameters filled from values; a
// parameter without a value fails the test, so a new route cannot escape it.
func tokenGETRoutes(t *testing.T, d *testdaemon.Daemon, values map[string]string) []string {
	t.Helper()
	_, body := d.Do(t, "GET", "/openapi.json", nil, nil)
	var doc struct {
		Paths map[string]struct {
			Get *struct {
				Security []map[string][]string `json:"security"`
			} `json:"get"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("/openapi.json: %v", err)
	}
	var routes []string
	for path, item := range doc.Paths {
		if item.Get == nil || len(item.Get.Security) == 0 {
			continue
		}
		route := path
		for _, param := range regexp.MustCompile(`\{[a-z_]+\}`).FindAllString(path, -1) {
			v, ok := values[param]
			if !ok {
				t.Fatalf("GET %s: no value for %s in this test", path, param)
			}
			route = strings.Replace(route, param, v, 1)
		}
		routes = append(routes, route)
	}
	sort.Strings(routes)
	return routes
}

// A tenant created after the views last refreshed has requested no
// reconciliation: every platform is pending, not missing.
func TestANewTenantSeesItsPlatformsPendingAtOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	refreshViews(t, db)
	d := startAPI(t, db)
	tn := createTenant(t, db, "Brand new")
	dt := userOf(t, db, tn, "new@example.com")

	resp, body := dt.get(t, d, "/api/reconciliation/status", nil)
	var overview struct {
		Platforms []struct {
			Platform         string `json:"platform"`
			ConnectionStatus string `json:"connection_status"`
		} `json:"platforms"`
		Overall string `json:"overall_status"`
	}
	json.Unmarshal(body, &overview)
	if resp.StatusCode != 200 || overview.Overall != "pending" || len(overview.Platforms) != 4 {
		t.Fatalf("status of a new tenant: %d %s", resp.StatusCode, body)
	}
	for _, p := range overview.Platforms {
		if p.ConnectionStatus != "pending" {
			t.Errorf("a new tenant's platform is %q: %s", p.ConnectionStatus, body)
		}
	}
	for _, platform := range []string{"shopify", "stripe", "paypal", "woocommerce"} {
		if resp, body := dt.get(t, d, "/api/reconciliation/platform/"+platform, nil); resp.StatusCode != 200 ||
			!strings.Contains(string(body), `"connection_status":"pending"`) && !strings.Contains(string(body), `"connection_status": "pending"`) {
			t.Errorf("%s of a new tenant: %d %s", platform, resp.StatusCode, body)
		}
	}
}

// Revenue in a second currency is listed, and selectable, never invisible.
func TestChannelsListEveryCurrencyAndShowTheOneAskedFor(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dt := seedDashboardTenant(t, db, "Two currencies", 12345)
	ctx := context.Background()
	conn, err := db.Pool(t, testdb.Superuser).Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, sql := range []string{
		`SELECT set_config('app.current_tenant_id', $1, false)`,
		`INSERT INTO skeldir.attribution_events (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type,
		   external_id, order_id, session_id, revenue_cents, currency, channel, occurred_at, payload)
		 VALUES ($1::uuid, 'eur-' || $1::text, gen_random_uuid(), 'shopify', 'orders/create', 'purchase', 'ord-eur', 'ord-eur',
		         'sess-eur', 4200, 'EUR', 'organic', now() - interval '2 days', '{}')`,
		`SELECT skeldir.recompute_attribution(now() - interval '30 days', now() + interval '1 day') WHERE $1::text <> ''`,
	} {
		if _, err := conn.Exec(ctx, sql, dt.ID); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	refreshViews(t, db)
	d := startAPI(t, db)
	type answer struct {
		Currency   string
		Total      float64 `json:"total_revenue"`
		Currencies []struct {
			Currency string
			Total    float64 `json:"total_revenue"`
		}
	}
	var main, eur answer
	_, body := dt.get(t, d, "/api/attribution/channels", nil)
	json.Unmarshal(body, &main)
	if main.Currency != "USD" || main.Total != 123.45 || len(main.Currencies) != 2 ||
		main.Currencies[0].Currency != "USD" || main.Currencies[1].Currency != "EUR" || main.Currencies[1].Total != 42 {
		t.Errorf("default: %s", body)
	}
	_, body = dt.get(t, d, "/api/attribution/channels?currency=eur", nil)
	json.Unmarshal(body, &eur)
	if eur.Currency != "EUR" || eur.Total != 42 || len(eur.Currencies) != 2 {
		t.Errorf("?currency=eur: %s", body)
	}
}

func TestAdSpendIsStoredReplacedRefusedWhenBadAndShownWithROAS(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dt := seedDashboardTenant(t, db, "Spender", 12345) // 123.45 USD, all credited to email, 3 days ago
	refreshViews(t, db)
	d := startAPI(t, db)
	put := func(body string) (int, map[string]any) {
		t.Helper()
		resp, raw := d.Do(t, "PUT", "/api/spend", []byte(body),
			map[string]string{"Authorization": "Bearer " + dt.token, "Content-Type": "application/json"})
		var out map[string]any
		json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	day := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02")
	if code, out := put(`{"rows": [{"date": "` + day + `", "channel": "email", "currency": "USD", "amount": "10.00"},
	                                {"date": "` + day + `", "channel": "facebook_paid", "currency": "USD", "amount": 5}]}`); code != 200 || out["stored"] != 2.0 {
		t.Fatalf("PUT: %d %v", code, out)
	}
	// The same key again replaces the amount.
	if code, out := put(`{"rows": [{"date": "` + day + `", "channel": "email", "currency": "usd", "amount": "50.00"}]}`); code != 200 {
		t.Fatalf("replacing PUT: %d %v", code, out)
	}
	if n := count(t, db, "SELECT sum(amount_cents)::int FROM skeldir.ad_spend WHERE tenant_id = $1", dt.ID); n != 5500 {
		t.Errorf("stored %d cents, want 5500", n)
	}
	bad := map[string]string{
		"rows[1].channel":  `{"rows": [{"date": "2026-11-20", "channel": "email", "currency": "USD", "amount": "1"}, {"date": "2026-11-20", "channel": "myspace", "currency": "USD", "amount": "1"}]}`,
		"rows[0].date":     `{"rows": [{"date": "2026-02-30", "channel": "email", "currency": "USD", "amount": "1"}]}`,
		"rows[0].amount":   `{"rows": [{"date": "2026-11-20", "channel": "email", "currency": "USD", "amount": "-1.00"}]}`,
		"rows[0].currency": `{"rows": [{"date": "2026-11-20", "channel": "email", "currency": "XYZ", "amount": "1"}]}`,
		"rows":             `{"rows": []}`,
	}
	fieldOf := func(problem map[string]any) any {
		if errs, ok := problem["errors"].([]any); ok && len(errs) == 1 {
			return errs[0].(map[string]any)["field"]
		}
		return nil
	}
	for field, body := range bad {
		if code, out := put(body); code != 400 || fieldOf(out) != field {
			t.Errorf("%s: %d %v", field, code, out)
		}
	}
	bad["sub-cent"] = `{"rows": [{"date": "2026-11-20", "channel": "email", "currency": "USD", "amount": "1.001"}]}`
	if code, out := put(bad["sub-cent"]); code != 400 || fieldOf(out) != "rows[0].amount" {
		t.Errorf("sub-cent amount: %d %v", code, out)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.ad_spend WHERE tenant_id = $1", dt.ID); n != 2 {
		t.Errorf("%d spend rows after refused reports, want the 2 stored before", n)
	}

	// CSV import adds a row and replaces one.
	csvFile := filepath.Join(t.TempDir(), "spend.csv")
	os.WriteFile(csvFile, []byte("date,channel,currency,amount\n"+day+",email,USD,40.00\n"+day+",google_search_paid,USD,7.50\n"), 0o600)
	if out, errOut, code := cli(t, db, "spend", "import", "--tenant", dt.ID, "--file", csvFile); code != 0 {
		t.Fatalf("spend import: %s %s", out, errOut)
	}
	os.WriteFile(csvFile, []byte("date,channel,currency,amount\n"+day+",email,USD,1\n"+day+",email,USD,-3\n"), 0o600)
	if out, errOut, code := cli(t, db, "spend", "import", "--tenant", dt.ID, "--file", csvFile); code == 0 ||
		!strings.Contains(out+errOut, "line 3: amount") {
		t.Errorf("a bad CSV line: exit %d, %s %s", code, out, errOut)
	}

	// email: 123.45 attributed over 40.00 spent.
	_, body := dt.get(t, d, "/api/attribution/channels?model=last_touch", nil)
	var ch struct {
		Channels []struct {
			Codes []string `json:"channels"`
			Spend *float64
			ROAS  *float64
		}
	}
	json.Unmarshal(body, &ch)
	found := false
	for _, c := range ch.Channels {
		if len(c.Codes) == 1 && c.Codes[0] == "email" {
			found = true
			if c.Spend == nil || *c.Spend != 40 || c.ROAS == nil || *c.ROAS != 3.09 {
				t.Errorf("email: spend %v, roas %v; want 40 and 3.09: %s", c.Spend, c.ROAS, body)
			}
		}
	}
	if !found {
		t.Errorf("no email channel: %s", body)
	}
}

// A 202's status_url is absolute: the configured public URL, or the
// listener's address when none is set; polling it answers the job.
func TestAcceptedRequestsAnswerAnAbsoluteStatusURL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Polling", 5000)
	for _, c := range []struct{ env, base string }{
		{"SKELDIR_PUBLIC_URL=https://api.example.test/", "https://api.example.test"},
		{"SKELDIR_PUBLIC_URL=", ""},
	} {
		d := startAPI(t, db, c.env)
		base := c.base
		if base == "" {
			base = d.BaseURL
		}
		for path, body := range map[string]string{
			"/api/investigations":  `{"question": "Why did revenue move this week?"}`,
			"/api/budget/optimize": `{"total_budget": 5000, "optimization_goal": "maximize_revenue"}`,
		} {
			resp, raw := d.Do(t, "POST", path, []byte(body), map[string]string{"Authorization": "Bearer " + a.token})
			var out struct {
				StatusURL string `json:"status_url"`
			}
			json.Unmarshal(raw, &out)
			if resp.StatusCode != 202 || !strings.HasPrefix(out.StatusURL, base+"/api/") {
				t.Fatalf("%s with %s: %d %s, want a status_url under %s", path, c.env, resp.StatusCode, raw, base)
			}
			if poll, praw := a.get(t, d, strings.TrimPrefix(out.StatusURL, base), nil); poll.StatusCode != 200 && poll.StatusCode != 202 {
				t.Errorf("polling %s: %d %s", out.StatusURL, poll.StatusCode, praw)
			}
		}
	}
}
