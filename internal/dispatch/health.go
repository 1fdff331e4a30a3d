package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/metrics"
	"github.com/skeldir/skeldir/internal/problem"
)

type health struct {
	db           DB
	readyTimeout time.Duration
	logger       *slog.Logger
	requests     *metrics.HTTP
	started      time.Time
}

// live answers 200 while the process runs, whatever the database does.
func (h health) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the body of /health/ready (SPEC §8).
type readiness struct {
	Status    string `json:"status"`
	Database  string `json:"database"`
	RLS       string `json:"rls"`
	TenantGUC string `json:"tenant_guc"`
	// ChangeFeed is ok, behind, stalled or fallback: reported, never a
	// reason to be unready (the slot keeps what the feed has not applied).
	ChangeFeed string `json:"change_feed"`
}

// ready reports api.readiness(): 200 when every part is ok, 503 otherwise.
func (h health) ready(w http.ResponseWriter, r *http.Request) {
	report := h.check(r)
	code := http.StatusOK
	if report.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, report)
}

// check runs api.readiness() within the timeout. When the database does not
// answer, the parts it would have checked are "unknown" rather than guessed.
func (h health) check(r *http.Request) readiness {
	ctx, cancel := context.WithTimeout(r.Context(), h.readyTimeout)
	defer cancel()
	var report readiness
	if err := h.db.QueryRow(ctx, "SELECT api.readiness()").Scan(&report); err != nil {
		h.logger.Warn("readiness check failed", "correlation_id", correlation.FromContext(r.Context()), "error", err)
		report = readiness{Status: "unhealthy", Database: "error", RLS: "unknown", TenantGUC: "unknown", ChangeFeed: "unknown"}
	}
	return report
}

// The /api/health family serves the dashboard contract's shapes of the same
// truths.

func (h health) apiLive(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"alive": true})
}

func (h health) apiReady(w http.ResponseWriter, r *http.Request) {
	report := h.check(r)
	if report.Status != "ok" {
		unavailable(w, r, fmt.Sprintf("not ready: database %s, rls %s, tenant_guc %s",
			report.Database, report.RLS, report.TenantGUC))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ready": true})
}

// overview is GET /api/health: every service up is healthy, any degraded is
// degraded; a database that does not answer is a 503.
type overview struct {
	Status        string            `json:"status"`
	Timestamp     time.Time         `json:"timestamp"`
	Version       string            `json:"version"`
	Services      map[string]string `json:"services"`
	UptimeSeconds int64             `json:"uptime_seconds"`
}

func (h health) overview(r *http.Request) (overview, time.Duration, error) {
	ctx, cancel := context.WithTimeout(r.Context(), h.readyTimeout)
	defer cancel()
	began := time.Now()
	services := map[string]string{}
	if err := h.db.QueryRow(ctx, "SELECT api.health_summary()").Scan(&services); err != nil {
		return overview{}, 0, err
	}
	latency := time.Since(began)
	services["api"] = "up"
	status := "healthy"
	for _, s := range services {
		if s != "up" {
			status = "degraded"
		}
	}
	return overview{Status: status, Timestamp: time.Now().UTC(), Version: version(), Services: services,
		UptimeSeconds: int64(time.Since(h.started).Seconds())}, latency, nil
}

func (h health) apiHealth(w http.ResponseWriter, r *http.Request) {
	o, _, err := h.overview(r)
	if err != nil {
		h.logger.Warn("health check failed", "correlation_id", correlation.FromContext(r.Context()), "error", err)
		unavailable(w, r, "the database is unavailable")
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// apiDetailed adds the daemon's request totals since it started and its
// database pool to the overview.
func (h health) apiDetailed(w http.ResponseWriter, r *http.Request) {
	// Not a tenant's data, but for a signed-in user only: the database
	// judges the token.
	var user json.RawMessage
	if err := h.db.QueryRow(r.Context(), "SELECT api.verify_session($1)", tokenOf(r.Context())).Scan(&user); err != nil {
		writeDatabaseError(w, r, err)
		return
	}
	o, latency, err := h.overview(r)
	if err != nil {
		unavailable(w, r, "the database is unavailable")
		return
	}
	t := h.requests.Totals()
	minutes := math.Max(time.Since(h.started).Minutes(), 1.0/60)
	requestMetrics := map[string]any{"requests_per_minute": int64(float64(t.Requests) / minutes),
		"average_response_ms": 0.0, "error_rate": 0.0}
	if t.Requests > 0 {
		requestMetrics["average_response_ms"] = float64(t.Elapsed.Microseconds()) / 1000 / float64(t.Requests)
		requestMetrics["error_rate"] = float64(t.ServerErrors) / float64(t.Requests)
	}
	database := map[string]any{"query_latency_ms": float64(latency.Microseconds()) / 1000}
	if pool, ok := h.db.(interface{ Stat() *pgxpool.Stat }); ok {
		s := pool.Stat()
		database["pool_size"] = s.MaxConns()
		database["active_connections"] = s.AcquiredConns()
		requestMetrics["active_connections"] = s.AcquiredConns()
	}
	writeJSON(w, http.StatusOK, struct {
		overview
		Metrics  map[string]any `json:"metrics"`
		Database map[string]any `json:"database"`
	}{o, requestMetrics, database})
}

func unavailable(w http.ResponseWriter, r *http.Request, detail string) {
	w.Header().Set("Retry-After", "5")
	problem.Write(w, r, problem.Details{Type: "service_unavailable", Title: "Service Unavailable",
		Status: http.StatusServiceUnavailable, Detail: detail})
}

// version is the module version or VCS revision skeldird was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return info.Main.Version
}
