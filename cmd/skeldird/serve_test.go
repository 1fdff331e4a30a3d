package main_test

import (
	"encoding/json"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

func startAPI(t *testing.T, db *testdb.DB, env ...string) *testdaemon.Daemon {
	t.Helper()
	return testdaemon.Start(t, "api", append(db.Env(), append([]string{"DATABASE_URL=" + db.URL(testdb.API)}, env...)...)...)
}

func TestHealthLiveAndReadyWhenDatabaseIsUp(t *testing.T) {
	t.Parallel()
	d := startAPI(t, testdb.New(t))

	resp, body := d.Do(t, "GET", "/health/live", nil, nil)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("live: %d %s", resp.StatusCode, body)
	}
	resp, body = d.Do(t, "GET", "/health/ready", nil, nil)
	want := `{"status":"ok","database":"ok","rls":"ok","tenant_guc":"ok","change_feed":"fallback"}`
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
		t.Errorf("ready: got %d %s, want 200 %s", resp.StatusCode, body, want)
	}
}

func TestReadyFollowsTheDatabaseWithoutRestart(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	proxy := newToggleProxy(t, db.URL(testdb.API))
	d := startAPI(t, db, "DATABASE_URL="+proxy.url, "SKELDIR_READY_TIMEOUT=1s")

	expectReady := func(code int, database string) {
		t.Helper()
		start := time.Now()
		resp, body := d.Do(t, "GET", "/health/ready", nil, nil)
		var got struct{ Status, Database string }
		json.Unmarshal(body, &got)
		if resp.StatusCode != code || got.Database != database {
			t.Fatalf("ready: got %d %s, want %d with database=%s", resp.StatusCode, body, code, database)
		}
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Fatalf("ready took %v with a 1s timeout", elapsed)
		}
	}
	expectReady(200, "ok")

	proxy.down()
	expectReady(503, "error")
	if resp, _ := d.Do(t, "GET", "/health/live", nil, nil); resp.StatusCode != 200 {
		t.Errorf("live answered %d while the database was down", resp.StatusCode)
	}

	proxy.up()
	expectReady(200, "ok")
}

func TestErrorsAreProblemsWithCorrelationID(t *testing.T) {
	t.Parallel()
	d := startAPI(t, testdb.New(t), "SKELDIR_MAX_BODY_BYTES=1024")
	const given = "0b6c8ea5-4a8e-4b8e-9f3c-2d2b5c7f6a10"

	cases := []struct {
		name, method, path string
		body               []byte
		status             int
		problemType, allow string
	}{
		{"unknown route", "GET", "/no/such/route", nil, 404, "urn:skeldir:problem:not_found", ""},
		{"wrong method", "DELETE", "/health/ready", nil, 405, "urn:skeldir:problem:method_not_allowed", "GET"},
		{"wrong method on a webhook", "GET", "/api/webhooks/shopify/orders/paid", nil, 405, "urn:skeldir:problem:method_not_allowed", "POST"},
		{"oversize body", "POST", "/health/ready", make([]byte, 2048), 413, "urn:skeldir:problem:payload_too_large", ""},
	}
	for _, c := range cases {
		resp, body := d.Do(t, c.method, c.path, c.body, map[string]string{"X-Correlation-ID": given})
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: got %d %s", c.name, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		if got := strings.Join(resp.Header.Values("Allow"), ", "); got != c.allow {
			t.Errorf("%s: Allow %q, want %q", c.name, got, c.allow)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", c.name, resp.Header.Get("X-Content-Type-Options"))
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("%s: body is not JSON: %s", c.name, body)
			continue
		}
		for _, member := range []string{"type", "title", "status", "detail", "instance", "correlation_id", "timestamp"} {
			if _, ok := p[member]; !ok {
				t.Errorf("%s: problem lacks %q: %s", c.name, member, body)
			}
		}
		if p["type"] != c.problemType || p["status"] != float64(c.status) || p["correlation_id"] != given ||
			p["instance"] != "urn:uuid:"+given ||
			resp.Header.Get("X-Correlation-ID") != given {
			t.Errorf("%s: %s (header %s)", c.name, body, resp.Header.Get("X-Correlation-ID"))
		}
	}
}

func TestCorrelationIDIsEchoedOrGenerated(t *testing.T) {
	t.Parallel()
	d := startAPI(t, testdb.New(t))
	const given = "4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

	resp, _ := d.Do(t, "GET", "/health/live", nil, map[string]string{"X-Correlation-ID": given})
	if got := resp.Header.Get("X-Correlation-ID"); got != given {
		t.Errorf("a UUID correlation id was not echoed: got %q", got)
	}
	resp, _ = d.Do(t, "GET", "/health/live", nil, map[string]string{"X-Correlation-ID": "<script>"})
	if got := resp.Header.Get("X-Correlation-ID"); got == "<script>" || len(got) != 36 {
		t.Errorf("a non-UUID correlation id was not replaced: got %q", got)
	}
	if !strings.Contains(d.Logs(), `"correlation_id":"`+given+`"`) {
		t.Errorf("log lacks the correlation id:\n%s", d.Logs())
	}
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	t.Parallel()
	d := startAPI(t, testdb.New(t))
	d.Do(t, "GET", "/health/ready", nil, nil)
	d.Do(t, "GET", "/nowhere/8f1e2d", nil, nil)

	resp, body := d.Do(t, "GET", "/metrics", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	text := string(body)
	for _, want := range []string{
		`skeldir_http_requests_total{code="200",method="GET",route="/health/ready"} 1`,
		`skeldir_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`skeldir_http_request_duration_seconds_bucket{method="GET",route="/health/ready",le="+Inf"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(text, "8f1e2d") {
		t.Error("a raw path became a metric label")
	}
}

// toggleProxy forwards TCP connections to PostgreSQL until down() closes the
// listener and every open connection, which to the daemon is the database
// going away; up() listens on the same address again.
type toggleProxy struct {
	t      *testing.T
	addr   string
	target string
	url    string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newToggleProxy(t *testing.T, dbURL string) *toggleProxy {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &toggleProxy{t: t, target: u.Host, addr: "127.0.0.1:0"}
	p.up()
	u.Host = p.addr
	p.url = u.String()
	t.Cleanup(p.down)
	return p
}

func (p *toggleProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *toggleProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
