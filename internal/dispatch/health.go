package dispatch

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/skeldir/skeldir/internal/correlation"
)

type health struct {
	db           DB
	readyTimeout time.Duration
	logger       *slog.Logger
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
}

// ready reports api.readiness(): 200 when every part is ok, 503 otherwise.
// When the database does not answer within the timeout, the parts it would
// have checked are "unknown" rather than guessed.
func (h health) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.readyTimeout)
	defer cancel()
	var report readiness
	if err := h.db.QueryRow(ctx, "SELECT api.readiness()").Scan(&report); err != nil {
		h.logger.Warn("readiness check failed", "correlation_id", correlation.FromContext(r.Context()), "error", err)
		report = readiness{Status: "unhealthy", Database: "error", RLS: "unknown", TenantGUC: "unknown"}
	}
	code := http.StatusOK
	if report.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, report)
}
