package main_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/testdb"
)

// hostile are the values every parameter of every route is tried with: SQL
// injection, a NUL, bytes that are not UTF-8, a lone UTF-16 surrogate,
// numbers past float64 and past numeric's bounds, and a date that is not one.
// raw is the value as bytes (for query strings and paths); json is how it
// goes into a JSON body (a lone surrogate only exists there).
var hostile = []struct{ name, raw, json string }{
	{"sql injection", `' OR 1=1; DROP TABLE skeldir.tenants; --`, `"' OR 1=1; DROP TABLE skeldir.tenants; --"`},
	{"NUL", "a\x00b", `"a\u0000b"`},
	{"invalid UTF-8", "\xff\xfe", "\"\xff\xfe\""},
	{"lone surrogate", "\xed\xa0\x80", `"\ud800"`},
	{"1e309", "1e309", `1e309`},
	{"400 digits", "1" + strings.Repeat("0", 400), "1" + strings.Repeat("0", 400)},
	{"not a date", "2026-02-30", `"2026-02-30"`},
	{"deep JSON", strings.Repeat("[", 5000), strings.Repeat("[", 5000) + strings.Repeat("]", 5000)},
}

// postgresWording is how PostgreSQL's own messages read; none may reach a
// client.
var postgresWording = regexp.MustCompile(`(?i)SQLSTATE|ERROR:|invalid input syntax|invalid byte sequence|` +
	`stack depth|out of range|violates|syntax error|does not exist|relation "|function |column "|pq:|pgx`)

// Acceptance 6 (issue 13): every route, every parameter, every hostile
// value: no 5xx, no PostgreSQL wording, and a 400 names the parameter.
func TestEveryParameterOfEveryRouteRefusesHostileInputInOurWords(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := seedDashboardTenant(t, db, "Hostile", 5000)
	// Hundreds of requests from one tenant: its rate limit (tested on its
	// own) would answer 429 to some, hiding what they would have answered.
	d := startAPI(t, db, "SKELDIR_TENANT_RATE=100000", "SKELDIR_TENANT_BURST=100000")
	email, password := "hostile@example.com", "a long enough password" // seedDashboardTenant's user
	_, _, session := login(t, d, email, password)
	bearer := map[string]string{"Authorization": "Bearer " + a.token}

	type route struct {
		method, path string
		query        []string          // query parameters, tried one at a time
		body         map[string]string // JSON body: field -> a valid value (JSON), each field tried in turn
		header       map[string]string
	}
	routes := []route{
		{method: "GET", path: "/api/attribution/channels", query: []string{"start_date", "end_date", "model", "currency"}},
		{method: "GET", path: "/api/export/revenue", query: []string{"format", "start_date", "end_date", "channels"}},
		{method: "PUT", path: "/api/spend", body: map[string]string{
			"rows": `[{"date":"2026-01-01","channel":"email","currency":"USD","amount":"10.00"}]`}},
		{method: "POST", path: "/api/reconciliation/sync", body: map[string]string{"start_date": `"2026-01-01"`, "end_date": `"2026-01-31"`}},
		{method: "POST", path: "/api/budget/optimize", body: map[string]string{
			"total_budget": `5000`, "optimization_goal": `"maximize_revenue"`, "constraints": `{}`}},
		{method: "POST", path: "/api/investigations", body: map[string]string{
			"question": `"Why did revenue move this week?"`, "context": `{}`}},
		{method: "POST", path: "/api/auth/login", header: map[string]string{},
			body: map[string]string{"email": `"` + email + `"`, "password": `"` + password + `"`}},
		{method: "POST", path: "/api/auth/refresh", header: map[string]string{},
			body: map[string]string{"refresh_token": `"` + session.RefreshToken + `"`}},
		{method: "POST", path: "/api/auth/logout", body: map[string]string{"refresh_token": `"` + session.RefreshToken + `"`}},
	}
	// Path parameters: the route with one segment replaced.
	paths := []struct{ template, param string }{
		{"/api/attribution/explain/{}/email", "entity_type"},
		{"/api/attribution/explain/channel_performance/{}", "entity_id"},
		{"/api/v1/explain/attribution_score/{}", "entity_id"},
		{"/api/reconciliation/platform/{}", "platform_id"},
		{"/api/budget/recommendations/{}", "job_id"},
		{"/api/investigations/{}/status", "investigation_id"},
	}

	check := func(what, field string, code int, body []byte) {
		t.Helper()
		if code >= 500 {
			t.Errorf("%s: %d %s", what, code, body)
			return
		}
		if postgresWording.Match(body) {
			t.Errorf("%s: PostgreSQL's wording reached the client: %d %s", what, code, body)
		}
		if code == 400 && field != "" {
			var p struct{ Errors []struct{ Field string } }
			json.Unmarshal(body, &p)
			if len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, field) {
				t.Errorf("%s: a 400 that does not name %s: %s", what, field, body)
			}
		}
	}
	headerFor := func(r route) map[string]string {
		if r.header != nil {
			return r.header
		}
		return bearer
	}
	for _, h := range hostile {
		for _, r := range routes {
			for _, q := range r.query {
				path := r.path + "?" + q + "=" + url.QueryEscape(h.raw)
				resp, body := d.Do(t, r.method, path, nil, headerFor(r))
				check(r.method+" "+path+" ("+h.name+")", q, resp.StatusCode, body)
			}
			for field := range r.body {
				parts := []string{}
				for k, v := range r.body {
					if k == field {
						v = h.json
					}
					parts = append(parts, `"`+k+`":`+v)
				}
				doc := "{" + strings.Join(parts, ",") + "}"
				resp, body := d.Do(t, r.method, r.path, []byte(doc), headerFor(r))
				check(r.method+" "+r.path+" "+field+" ("+h.name+")", field, resp.StatusCode, body)
			}
		}
		for _, p := range paths {
			path := strings.Replace(p.template, "{}", url.PathEscape(h.raw), 1)
			resp, body := d.Do(t, "GET", path, nil, bearer)
			check("GET "+path+" ("+h.name+")", p.param, resp.StatusCode, body)
		}
		// Webhooks: a hostile body, and hostile values in the headers SQL
		// reads (a bad signature is a 401, a bad body a dead letter).
		for _, vendor := range []string{"shopify", "stripe", "paypal", "woocommerce"} {
			ans := a.deliver(t, d, vendor, "order_create", []byte(`{"id": `+h.json+`, "total_price": `+h.json+`}`), nil)
			raw, _ := json.Marshal(ans.Body)
			check("webhook "+vendor+" body ("+h.name+")", "", ans.Status, raw)
			resp, body := d.Do(t, "POST", "/api/webhooks/"+vendor, []byte(`{}`), map[string]string{
				"X-Skeldir-Tenant-Key": url.QueryEscape(h.raw), "X-Idempotency-Key": url.QueryEscape(h.raw)})
			check("webhook "+vendor+" headers ("+h.name+")", "", resp.StatusCode, body)
			resp, body = d.Do(t, "POST", "/hooks/"+vendor+"/"+url.PathEscape(h.raw), []byte(`{}`), nil)
			check("webhook URL "+vendor+" token ("+h.name+")", "", resp.StatusCode, body)
		}
	}
	// Reversed dates name the first of the pair.
	for _, path := range []string{"/api/attribution/channels?start_date=2026-02-01&end_date=2026-01-01",
		"/api/export/revenue?format=csv&start_date=2026-02-01&end_date=2026-01-01"} {
		resp, body := d.Do(t, "GET", path, nil, bearer)
		if resp.StatusCode != 400 {
			t.Errorf("reversed dates %s: %d %s", path, resp.StatusCode, body)
		}
		check("GET "+path, "start_date", resp.StatusCode, body)
	}
}
