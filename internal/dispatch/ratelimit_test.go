package dispatch

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/auth"
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

func TestTenantLimitAnswers429WithRetryAfterPerTenant(t *testing.T) {
	tokens, err := auth.NewTokens(make([]byte, auth.MinKeyBytes), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := requireBearer(tokens)(limitTenants(0.5, 2)(ok))
	get := func(tenant string) *httptest.ResponseRecorder {
		token, _ := tokens.Issue("u", tenant)
		req := httptest.NewRequest("GET", "/api/attribution/channels", nil)
		req.Header.Set("Authorization", "Bearer "+token)
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
