// Package dispatch routes HTTP requests to the SQL functions that answer them.
//
// Handlers here parse requests, call one function in schema api, and turn its
// result into a response; they decide nothing the database can decide. The
// middleware stack gives every response a correlation id, a log line, metrics
// by route pattern, a body cap, and problem+json for every error.
package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/metrics"
	"github.com/skeldir/skeldir/internal/problem"
)

// DB is what handlers need of the database: one call per request. A
// *pgxpool.Pool satisfies it; the daemon gives a database.Transactional,
// which runs each call in a transaction block (Citus needs one to carry the
// tenant context to its workers).
type DB interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Options configure the router.
type Options struct {
	// DB is the pool of connections as skeldir_api.
	DB DB
	// PublicURL is the API's base URL as clients reach it, without a
	// trailing slash: the status_url of 202 answers is absolute.
	PublicURL string
	// Logger receives one line per request.
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is served on /metrics.
	Registry *prometheus.Registry
	// ReadyTimeout bounds the database check behind /health/ready.
	ReadyTimeout time.Duration
	// MaxBodyBytes caps request bodies; larger ones get 413.
	MaxBodyBytes int64
	// IngestWorkers is how many webhook transactions may run at once.
	IngestWorkers int
	// WorkerProbeTimeout bounds the wait behind /health/worker.
	WorkerProbeTimeout time.Duration
	// Auth configures login limits, refresh tokens and the per-tenant rate.
	Auth AuthOptions
}

// noSniff tells browsers to take every answer as the type it declares: a
// JSON answer holding a sender's text is never sniffed into HTML.
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// maxIngestBatch bounds how many deliveries share one transaction.
const maxIngestBatch = 32

// NewRouter returns the API's HTTP handler. Its background workers stop when
// ctx is done, which must not happen before the server has stopped.
func NewRouter(ctx context.Context, o Options) http.Handler {
	r := chi.NewRouter()
	requests := metrics.NewHTTP(o.Registry)
	r.Use(noSniff, correlation.Middleware, observe(o.Logger, requests), recoverPanics(o.Logger),
		limitBody(o.MaxBodyBytes))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.Details{Type: "not_found", Title: "Not Found", Status: http.StatusNotFound,
			Detail: fmt.Sprintf("no route for %s", r.URL.Path)})
	})
	mux := r
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		// RFC 9110 §15.5.6: a 405 lists the methods the resource has. A
		// custom handler does not get chi's list, so ask the router.
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
			http.MethodPatch, http.MethodDelete} {
			if mux.Match(chi.NewRouteContext(), m, r.URL.Path) {
				w.Header().Add("Allow", m)
			}
		}
		problem.Write(w, r, problem.Details{Type: "method_not_allowed", Title: "Method Not Allowed",
			Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)})
	})

	h := health{db: o.DB, readyTimeout: o.ReadyTimeout, logger: o.Logger, requests: requests, started: time.Now()}
	r.Get("/health/live", h.live)
	r.Get("/health/ready", h.ready)
	r.Get("/api/health", h.apiHealth)
	r.Get("/api/health/live", h.apiLive)
	r.Get("/api/health/ready", h.apiReady)
	r.Get("/health/worker", (&workerHealth{db: o.DB, timeout: o.WorkerProbeTimeout}).serve)
	metrics.RegisterQueueStats(o.Registry, queueStats(o.DB))
	r.Method(http.MethodGet, "/metrics", metrics.Handler(o.Registry))
	r.Get("/openapi.json", serveOpenAPI)

	wh := webhooks{db: o.DB, logger: o.Logger, metrics: metrics.NewWebhooks(o.Registry),
		batcher: newIngestBatcher(ctx, o.DB, o.IngestWorkers, maxIngestBatch)}
	r.Post("/api/webhooks/{vendor}", wh.ingest)
	r.Post("/api/webhooks/{vendor}/*", wh.ingest)
	// A tenant's webhook URLs: the token names the tenant, for senders that
	// cannot add X-Skeldir-Tenant-Key (skeldird tenant webhook-urls).
	r.Post("/hooks/{vendor}/{token}", wh.ingest)
	r.Post("/hooks/{vendor}/{token}/*", wh.ingest)

	mountAuth(r, o)
	r.Group(func(r chi.Router) {
		r.Use(requireBearer, limitTenants(o.Auth.TenantRate, o.Auth.TenantBurst), textParams)
		mountDashboard(r, o)
		r.Get("/api/health/detailed", h.apiDetailed)
		mountExport(r, o)
	})
	return r
}

// observe logs each request and records its metrics under the matched route
// pattern ("unmatched" for 404s and 405s, so raw paths never become labels).
func observe(logger *slog.Logger, m *metrics.HTTP) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			elapsed := time.Since(start)
			route := chi.RouteContext(r.Context()).RoutePattern()
			if route == "" {
				route = "unmatched"
			}
			m.Observe(route, r.Method, ww.Status(), elapsed)
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("correlation_id", correlation.FromContext(r.Context())),
				slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", ww.Status()), slog.Int64("duration_us", elapsed.Microseconds()))
		})
	}
}

// recoverPanics turns a panic (a bug) into a logged 500 problem instead of a
// dropped connection.
func recoverPanics(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					logger.Error("panic", "correlation_id", correlation.FromContext(r.Context()),
						"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					problem.Write(w, r, problem.Details{Type: "internal_error", Title: "Internal Server Error",
						Status: http.StatusInternalServerError, Detail: "an unexpected error occurred; quote the correlation id"})
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody rejects a declared oversize body at once and caps the rest, so a
// handler reading past the limit fails with *http.MaxBytesError.
func limitBody(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				problem.Write(w, r, problem.Details{Type: "payload_too_large", Title: "Payload Too Large",
					Status: http.StatusRequestEntityTooLarge,
					Detail: fmt.Sprintf("request body is %d bytes; the limit is %d", r.ContentLength, limit)})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
		})
	}
}
