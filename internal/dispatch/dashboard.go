package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/problem"
)

// mountDashboard routes the dashboard's reads and requests (behind a bearer
// token). Each handler parses the request, passes the presented token and
// the parameters to one api function, which verifies the token and reads
// its tenant, and writes the JSON it returns.
func mountDashboard(r chi.Router, o Options) {
	d := dashboard{db: o.DB, logger: o.Logger, publicURL: o.PublicURL}
	r.Get("/api/attribution/revenue/realtime", d.realtimeRevenue)
	r.Get("/api/attribution/channels", d.channels)
	r.Put("/api/spend", d.putSpend)
	r.Get("/api/attribution/explain/{entity_type}/{entity_id}", d.explain)
	r.Get("/api/v1/explain/{entity_type}/{entity_id}", d.explain)
	r.Get("/api/reconciliation/status", d.reconciliationStatus)
	r.Get("/api/reconciliation/platform/{platform_id}", d.reconciliationPlatform)
	r.Post("/api/reconciliation/sync", d.reconciliationSync)
	r.Post("/api/budget/optimize", d.budgetOptimize)
	r.Get("/api/budget/recommendations/{job_id}", d.budgetRecommendation)
	r.Post("/api/investigations", d.investigate)
	r.Get("/api/investigations/{investigation_id}/status", d.investigationStatus)
}

type dashboard struct {
	db        DB
	logger    *slog.Logger
	publicURL string
}

// realtimeRevenue serves the revenue counter with an entity tag over its
// numbers: a client holding the current tag gets 304. Private: the counter
// is one tenant's.
func (d dashboard) realtimeRevenue(w http.ResponseWriter, r *http.Request) {
	var etag string
	var body json.RawMessage
	if err := d.db.QueryRow(r.Context(), "SELECT etag, body FROM api.realtime_revenue_counter($1)",
		tokenOf(r.Context())).Scan(&etag, &body); err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age=30")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// etagMatches applies If-None-Match (RFC 9110 §13.1.2): a list of tags,
// weak or strong, or *.
func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

func (d dashboard) channels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, p := dateParam(q.Get("start_date"), "start_date")
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	end, p := dateParam(q.Get("end_date"), "end_date")
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	d.respond(w, r, http.StatusOK, "SELECT api.channel_attribution($1, $2, $3, $4, $5)",
		tokenOf(r.Context()), start, end, nullable(q.Get("model")), nullable(q.Get("currency")))
}

// putSpend stores ad spend rows ({"rows": [{date, channel, currency,
// amount}, ...]}); SQL checks every row and names the bad one.
func (d dashboard) putSpend(w http.ResponseWriter, r *http.Request) {
	body, p := jsonObject(r, false)
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	rows, present := body["rows"]
	if !present {
		problem.Write(w, r, *fieldProblem("rows", "rows is required"))
		return
	}
	d.respond(w, r, http.StatusOK, "SELECT api.put_spend($1, $2::jsonb)", tokenOf(r.Context()), []byte(rows))
}

func (d dashboard) explain(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	started := time.Now()
	err := d.db.QueryRow(r.Context(), "SELECT api.explain($1, $2, $3, $4)", tokenOf(r.Context()),
		chi.URLParam(r, "entity_type"), chi.URLParam(r, "entity_id"), correlation.FromContext(r.Context())).Scan(&body)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if body["decision"] == "block" {
		llmBudgetExceeded(w, r, fmt.Sprint(body["reason"]))
		return
	}
	body["latency_ms"] = time.Since(started).Milliseconds()
	writeJSON(w, http.StatusOK, body)
}

func (d dashboard) reconciliationStatus(w http.ResponseWriter, r *http.Request) {
	d.respond(w, r, http.StatusOK, "SELECT api.reconciliation_overview($1)", tokenOf(r.Context()))
}

func (d dashboard) reconciliationPlatform(w http.ResponseWriter, r *http.Request) {
	d.respond(w, r, http.StatusOK, "SELECT api.reconciliation_platform($1, $2)", tokenOf(r.Context()),
		chi.URLParam(r, "platform_id"))
}

// reconciliationSync queues a run (202); the contract's platform list and
// full_sync flag are accepted, and every run covers all platforms.
func (d dashboard) reconciliationSync(w http.ResponseWriter, r *http.Request) {
	body, p := jsonObject(r, true)
	var start, end any
	var from, to string
	if p == nil {
		from, p = stringField(body, "start_date", false)
	}
	if p == nil {
		to, p = stringField(body, "end_date", false)
	}
	if p == nil {
		start, p = dateParam(from, "start_date")
	}
	if p == nil {
		end, p = dateParam(to, "end_date")
	}
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	d.respond(w, r, http.StatusAccepted, "SELECT api.request_reconciliation($1, $2, $3)",
		tokenOf(r.Context()), start, end)
}

func (d dashboard) budgetOptimize(w http.ResponseWriter, r *http.Request) {
	body, p := jsonObject(r, false)
	var budget json.Number
	var goal string
	if p == nil {
		budget, p = numberField(body, "total_budget", true)
	}
	if p == nil {
		goal, p = stringField(body, "optimization_goal", true)
	}
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	var id string
	if err := d.db.QueryRow(r.Context(), "SELECT api.start_budget_optimization($1, $2, $3, $4, $5)",
		tokenOf(r.Context()), budget.String(), goal, jsonField(body, "constraints"),
		correlation.FromContext(r.Context())).Scan(&id); err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job_id": id, "estimated_duration_seconds": 30,
		"status_url": d.publicURL + "/api/budget/recommendations/" + id})
}

// budgetRecommendation answers 202 while the job runs, 200 once it is
// complete or failed.
func (d dashboard) budgetRecommendation(w http.ResponseWriter, r *http.Request) {
	id, p := uuidParam(r, "job_id")
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	var body map[string]any
	if err := d.db.QueryRow(r.Context(), "SELECT api.budget_recommendation($1, $2)",
		tokenOf(r.Context()), id).Scan(&body); err != nil {
		d.fail(w, r, err)
		return
	}
	if body == nil {
		notFound(w, r, "no budget optimization "+id)
		return
	}
	code := http.StatusOK
	if body["status"] == "running" {
		code = http.StatusAccepted
	}
	writeJSON(w, code, body)
}

func (d dashboard) investigate(w http.ResponseWriter, r *http.Request) {
	body, p := jsonObject(r, false)
	var question string
	if p == nil {
		question, p = stringField(body, "question", true)
	}
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	var id string
	if err := d.db.QueryRow(r.Context(), "SELECT api.start_investigation($1, $2, $3, $4)",
		tokenOf(r.Context()), question, jsonField(body, "context"),
		correlation.FromContext(r.Context())).Scan(&id); err != nil {
		d.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"investigation_id": id, "status": "queued",
		"estimated_duration_seconds": 30, "status_url": d.publicURL + "/api/investigations/" + id + "/status"})
}

func (d dashboard) investigationStatus(w http.ResponseWriter, r *http.Request) {
	id, p := uuidParam(r, "investigation_id")
	if p != nil {
		problem.Write(w, r, *p)
		return
	}
	d.respond(w, r, http.StatusOK, "SELECT api.investigation_status($1, $2)", tokenOf(r.Context()), id)
}

// respond runs an api function returning one JSON document and sends it
// with code; a NULL document is a 404.
func (d dashboard) respond(w http.ResponseWriter, r *http.Request, code int, sql string, args ...any) {
	var body json.RawMessage
	if err := d.db.QueryRow(r.Context(), sql, args...).Scan(&body); err != nil {
		d.fail(w, r, err)
		return
	}
	if body == nil || string(body) == "null" {
		notFound(w, r, "nothing here for this tenant")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(body)
}

func (d dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, pgx.ErrNoRows) {
		notFound(w, r, "nothing here for this tenant")
		return
	}
	if !tokenRefused(err) { // a refused token is the caller's problem, not ours to log
		d.logger.Warn("dashboard call failed", "correlation_id", correlation.FromContext(r.Context()),
			"claimed_tenant_id", claimedTenantOf(r.Context()), "error", err)
	}
	writeDatabaseError(w, r, err)
}

func notFound(w http.ResponseWriter, r *http.Request, detail string) {
	problem.Write(w, r, problem.Details{Type: "not_found", Title: "Not Found", Status: http.StatusNotFound, Detail: detail})
}

// llmBudgetExceeded answers a call the tenant's monthly LLM budget blocked:
// 429 until the month turns.
func llmBudgetExceeded(w http.ResponseWriter, r *http.Request, reason string) {
	now := time.Now().UTC()
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	tooManyRequests(w, r, int(next.Sub(now).Seconds())+1, "the monthly LLM budget is spent: "+reason)
}

func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}
