package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/apispec"
	"github.com/skeldir/skeldir/internal/dispatch"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// TestMain runs the tests, then checks every response they received from an
// API listener (through testdaemon.Do or Get) against the OpenAPI document:
// a route, status, media type or body the document does not declare fails
// the run, naming the test, the route and the JSON pointer.
func TestMain(m *testing.M) {
	code := m.Run()
	if problems := checkRecordedResponses(); len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "responses that do not match internal/dispatch/openapi.json:")
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		code = 1
	}
	os.Exit(code)
}

func checkRecordedResponses() []string {
	doc, err := apispec.Load(dispatch.OpenAPI)
	if err != nil {
		return []string{err.Error()}
	}
	seen := map[string]int{}
	first := map[string]string{}
	exchanges := testdaemon.Exchanges()
	for _, x := range exchanges {
		for _, msg := range doc.Check(apispec.Response{Method: x.Method, Path: x.Path, Status: x.Status,
			ContentType: x.ContentType, Body: x.Body}) {
			if seen[msg] == 0 {
				first[msg] = x.Test
			}
			seen[msg]++
		}
	}
	out := make([]string, 0, len(seen))
	for msg, n := range seen {
		out = append(out, fmt.Sprintf("%s [%s, %d time(s)]", msg, first[msg], n))
	}
	sort.Strings(out)
	fmt.Fprintf(os.Stderr, "checked %d responses against the OpenAPI document\n", len(exchanges))
	return out
}

// The document lists every concrete webhook path the database routes
// (skeldir.webhook_topics), and no other.
func TestOpenAPIListsEveryWebhookTopicPath(t *testing.T) {
	db := testdb.New(t)
	rows, err := db.Pool(t, testdb.Superuser).Query(context.Background(),
		"SELECT t.vendor || '/' || p FROM skeldir.webhook_topics AS t, unnest(t.paths) AS p ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		want["/api/webhooks/"+p] = true
	}
	doc, err := apispec.Load(dispatch.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	paths := doc.Root()["paths"].(map[string]any)
	for p := range want {
		if _, ok := paths[p]; !ok {
			t.Errorf("webhook path %s is routed by skeldir.webhook_topics but not in the OpenAPI document", p)
		}
	}
	for p := range paths {
		if strings.HasPrefix(p, "/api/webhooks/") && !strings.Contains(p, "{") && !want[p] {
			t.Errorf("the OpenAPI document lists %s, which skeldir.webhook_topics does not route", p)
		}
	}
	if len(want) < 16 {
		t.Errorf("skeldir.webhook_topics routes %d paths; expected at least 16", len(want))
	}
}

// GET /openapi.json serves the document, publicly.
func TestOpenAPIServedByTheDaemon(t *testing.T) {
	db := testdb.New(t)
	d := testdaemon.Start(t, "api", append(db.Env(), "DATABASE_URL="+db.URL(testdb.API))...)
	resp, body := d.Do(t, "GET", "/openapi.json", nil, nil)
	if resp.StatusCode != 200 || string(body) != string(dispatch.OpenAPI) {
		t.Fatalf("GET /openapi.json: %d, %d bytes; want 200 and the embedded document", resp.StatusCode, len(body))
	}
}
