package dispatch

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/skeldir/skeldir/internal/problem"
)

// tenantLimiter is a token bucket per tenant: a tenant may make burst
// requests at once and rate per second after that. It lives in this process,
// so N API replicas allow N times the rate; that bounds what one tenant can
// take from the others, which is its job, without a round trip per request.
type tenantLimiter struct {
	rate, burst float64
	now         func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newTenantLimiter(rate float64, burst int) *tenantLimiter {
	return &tenantLimiter{rate: rate, burst: float64(burst), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token from tenant's bucket, or says how long until one is
// there.
func (l *tenantLimiter) allow(tenant string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[tenant]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[tenant] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// giveBack returns the token a refused request took from tenant's bucket.
func (l *tenantLimiter) giveBack(tenant string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[tenant]; b != nil {
		b.tokens = math.Min(l.burst, b.tokens+1)
	}
}

// sweep forgets, once a minute, the buckets that have refilled: a tenant
// absent that long starts again with a full bucket anyway.
func (l *tenantLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for tenant, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, tenant)
		}
	}
}

// limitTenants answers 429 with Retry-After to a tenant over its rate. It
// runs behind requireBearer and keys on the tenant the token claims; the
// database judges the token afterwards, and a request it refuses (401) gives
// its token back, so forged claims cannot spend another tenant's rate.
func limitTenants(rate float64, burst int) func(http.Handler) http.Handler {
	if rate <= 0 || burst <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	l := newTenantLimiter(rate, burst)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tenant := claimedTenantOf(r.Context())
			if ok, wait := l.allow(tenant); !ok {
				tooManyRequests(w, r, retryAfterSeconds(wait), "this tenant is over its request rate; retry later")
				return
			}
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			defer func() {
				if ww.Status() == http.StatusUnauthorized {
					l.giveBack(tenant)
				}
			}()
			next.ServeHTTP(ww, r)
		})
	}
}

// retryAfterSeconds rounds a wait up to whole seconds, at least one.
func retryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

func tooManyRequests(w http.ResponseWriter, r *http.Request, retryAfter int, detail string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	problem.Write(w, r, problem.Details{Type: "rate_limited", Title: "Too Many Requests",
		Status: http.StatusTooManyRequests, Detail: detail})
}
