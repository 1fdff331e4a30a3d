package dispatch

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/skeldir/skeldir/internal/apispec"
)

var methods = []string{"get", "put", "post", "delete", "patch", "head", "options"}

func loadDocument(t *testing.T) *apispec.Document {
	t.Helper()
	doc, err := apispec.Load(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The document is well formed for what checks it: Load resolves every
// $ref and compiles every schema, each held to the dialect (only keywords
// and formats the validator checks); operation ids are unique and every
// operation declares its responses.
func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	root := loadDocument(t).Root()
	if root["openapi"] != "3.1.0" {
		t.Errorf("openapi is %v, want 3.1.0", root["openapi"])
	}
	if root["jsonSchemaDialect"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("jsonSchemaDialect is %v; the validator checks JSON Schema 2020-12", root["jsonSchemaDialect"])
	}
	ids := map[string]string{}
	for path, item := range root["paths"].(map[string]any) {
		for _, m := range methods {
			op, ok := item.(map[string]any)[m].(map[string]any)
			if !ok {
				continue
			}
			id, _ := op["operationId"].(string)
			if prev, dup := ids[id]; dup || id == "" {
				t.Errorf("%s %s: operationId %q is empty or also used by %s", m, path, id, prev)
			}
			ids[id] = m + " " + path
			if r, _ := op["responses"].(map[string]any); len(r) == 0 {
				t.Errorf("%s %s declares no responses", m, path)
			}
		}
	}
}

// mountedRoutes walks the real router: method and pattern of every route,
// with chi's trailing wildcard named as the document names it.
func mountedRoutes(t *testing.T) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := NewRouter(ctx, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(), IngestWorkers: 1, MaxBodyBytes: 1 << 20})
	routes := map[string]bool{}
	err := chi.Walk(r.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasSuffix(route, "/*") {
			route = strings.TrimSuffix(route, "*") + "{route}"
		}
		routes[strings.ToLower(method)+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

// Every route the daemon mounts is in the document, and every operation in
// the document is mounted, served below the webhook route, or marked
// x-skeldir-pending-merge (served by a branch not merged yet; the mark must
// go once it is, which this test enforces).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	root := loadDocument(t).Root()
	paths := root["paths"].(map[string]any)
	mounted := mountedRoutes(t)
	var missing []string
	for route := range mounted {
		method, path, _ := strings.Cut(route, " ")
		item, _ := paths[path].(map[string]any)
		if _, ok := item[method]; !ok {
			missing = append(missing, route)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("the router serves %s, which the OpenAPI document does not describe", m)
	}
	for path, item := range paths {
		for _, m := range methods {
			op, ok := item.(map[string]any)[m].(map[string]any)
			if !ok {
				continue
			}
			_, pending := op["x-skeldir-pending-merge"]
			served := mounted[m+" "+path] ||
				(m == "post" && strings.HasPrefix(path, "/api/webhooks/") && mounted["post /api/webhooks/{vendor}/{route}"])
			switch {
			case served && pending:
				t.Errorf("%s %s is served now: remove its x-skeldir-pending-merge", m, path)
			case !served && !pending:
				t.Errorf("the document describes %s %s, which the router does not serve", m, path)
			}
		}
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := NewRouter(ctx, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(), IngestWorkers: 1, MaxBodyBytes: 1 << 20})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != string(OpenAPI) {
		t.Fatalf("GET /openapi.json: %d %q, %d bytes; want 200 application/json and the embedded document",
			rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
	}
	doc := loadDocument(t)
	if errs := doc.Check(apispec.Response{Method: "GET", Path: "/openapi.json", Status: 200,
		ContentType: "application/json", Body: rec.Body.Bytes()}); len(errs) > 0 {
		t.Fatal(errs)
	}
}

// The matcher picks the most literal template, the rest-of-path parameter
// takes slashes, and an undocumented path or method is a 404 or 405.
func TestOpenAPIMatching(t *testing.T) {
	doc := loadDocument(t)
	cases := []struct{ method, path, template string }{
		{"POST", "/api/webhooks/stripe/charge/dispute/created", "/api/webhooks/stripe/charge/dispute/created"},
		{"POST", "/api/webhooks/stripe/no/such/topic", "/api/webhooks/{vendor}/{route}"},
		{"POST", "/api/webhooks/stripe", "/api/webhooks/{vendor}"},
		{"GET", "/api/attribution/explain/channel_performance/paid_social", "/api/attribution/explain/{entity_type}/{entity_id}"},
		{"GET", "/api/investigations/0b7e/status", "/api/investigations/{investigation_id}/status"},
	}
	for _, c := range cases {
		if got := doc.Match(c.method, c.path); got.Template != c.template {
			t.Errorf("%s %s matched %q, want %q", c.method, c.path, got.Template, c.template)
		}
	}
	problem := []byte(`{"type":"urn:skeldir:problem:not_found","title":"Not Found","status":404,"detail":"d","instance":"urn:uuid:00000000-0000-0000-0000-000000000001","correlation_id":"00000000-0000-0000-0000-000000000001","timestamp":"2026-01-01T00:00:00Z"}`)
	for _, c := range []struct {
		method, path string
		status       int
		wantErr      string
	}{
		{"GET", "/nowhere", 404, ""},
		{"GET", "/nowhere", 200, "the document says such a request gets 404"},
		{"GET", "/api/webhooks/shopify/order_create", 405, ""},
		{"GET", "/api/attribution/explain/x", 404, ""},
		{"POST", "/health/ready", 413, ""},
		{"GET", "/health/ready", 405, "a status the document does not declare"},
		{"GET", "/api/health/live", 418, "a status the document does not declare"},
		{"POST", "/api/webhooks/shopify/order_create", 422, "a status the document does not declare"},
	} {
		body := problem
		errs := doc.Check(apispec.Response{Method: c.method, Path: c.path, Status: c.status, ContentType: "application/problem+json", Body: body})
		got := strings.Join(errs, "; ")
		if (c.wantErr == "") != (got == "") || !strings.Contains(got, c.wantErr) {
			t.Errorf("%s %s %d: got %q, want %q", c.method, c.path, c.status, got, c.wantErr)
		}
	}
	errs := doc.Check(apispec.Response{Method: "GET", Path: "/api/health/live", Status: 200, ContentType: "application/json", Body: []byte(`{"alive": false}`)})
	if len(errs) != 1 || errs[0] != "GET /api/health/live 200: body /alive: value must be true (schema #/paths/~1api~1health~1live/get/responses/200/content/application~1json/schema/properties/alive/const)" {
		t.Errorf("a wrong body must be reported with its pointer, got %q", errs)
	}
}
