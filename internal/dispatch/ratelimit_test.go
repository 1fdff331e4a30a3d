package dispatch

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestTenantLimiterAllowsBurstThenRate(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newTenantLimiter(2, 3) // 2 per second, 3 at once
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("past the burst: ok=%v wait=%v, want refused for 500ms", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another tenant was refused for a's requests")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("refused after the wait it named")
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("the refill gave more than the rate")
	}
	now = now.Add(time.Hour)
	l.allow("c")
	if _, kept := l.buckets["a"]; kept {
		t.Error("an idle tenant's bucket was not forgotten")
	}
}

func TestRetryAfterRoundsUpToWholeSeconds(t *testing.T) {
	for wait, want := range map[time.Duration]int{0: 1, 10 * time.Millisecond: 1, 1500 * time.Millisecond: 2, 2 * time.Second: 2} {
		if got := retryAfterSeconds(wait); got != want {
			t.Errorf("retryAfterSeconds(%v) = %d, want %d", wait, got, want)
		}
	}
}

// tokenClaiming is an unsigned JWT claiming tenant: the limiter reads the
// claim, the database judges the token.
func tokenClaiming(tenant string) string {
	return "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"tid":"`+tenant+`"}`)) + ".sig"
}

func TestTenantLimitAnswers429WithRetryAfterPerTenant(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := requireBearer(limitTenants(0.5, 2)(ok))
	get := func(tenant string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/attribution/channels", nil)
		req.Header.Set("Authorization", "Bearer "+tokenClaiming(tenant))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 2; i++ {
		if rec := get("a"); rec.Code != http.StatusNoContent {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := get("a")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("over the rate: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := get("b"); rec.Code != http.StatusNoContent {
		t.Errorf("another tenant was limited: %d", rec.Code)
	}
}

// Requests whose token the database refuses give their token back, so a
// forger claiming a tenant cannot spend that tenant's rate.
func TestTenantLimitIsNotSpentByRefusedTokens(t *testing.T) {
	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { unauthorized(w, r, "no") })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	limit := limitTenants(0.001, 2)
	serve := func(h http.Handler) int {
		req := httptest.NewRequest("GET", "/api/attribution/channels", nil)
		req.Header.Set("Authorization", "Bearer "+tokenClaiming("victim"))
		rec := httptest.NewRecorder()
		requireBearer(h).ServeHTTP(rec, req)
		return rec.Code
	}
	forged, genuine := limit(refuse), limit(ok)
	for i := 0; i < 10; i++ {
		if code := serve(forged); code != http.StatusUnauthorized {
			t.Fatalf("forged request %d: %d, want 401", i+1, code)
		}
	}
	for i := 0; i < 2; i++ {
		if code := serve(genuine); code != http.StatusNoContent {
			t.Fatalf("genuine request %d after the forgeries: %d, want the whole burst", i+1, code)
		}
	}
}
