package dispatch

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// workerHealth answers GET /health/worker (SPEC §8): it enqueues a probe job
// and waits for a worker to complete it. One probe runs at a time, every
// caller meanwhile shares its answer, and an answer is reused for a second,
// so the endpoint cannot flood the queue or hold up anything else.
type workerHealth struct {
	db      DB
	timeout time.Duration

	mu       sync.Mutex
	inflight chan struct{}
	last     workerReport
	lastAt   time.Time
}

type workerReport struct {
	Status         string   `json:"status"`
	Broker         string   `json:"broker"` // the queue, which is PostgreSQL
	Database       string   `json:"database"`
	Worker         string   `json:"worker"`
	ProbeLatencyMS *float64 `json:"probe_latency_ms,omitempty"`
}

const workerReportTTL = time.Second

func (h *workerHealth) serve(w http.ResponseWriter, r *http.Request) {
	report := h.report(r.Context())
	code := http.StatusOK
	if report.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, report)
}

func (h *workerHealth) report(ctx context.Context) workerReport {
	h.mu.Lock()
	if time.Since(h.lastAt) < workerReportTTL {
		defer h.mu.Unlock()
		return h.last
	}
	wait := h.inflight
	if wait == nil {
		wait = make(chan struct{})
		h.inflight = wait
		go h.probe(wait)
	}
	h.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *workerHealth) probe(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout)
	defer cancel()
	report := workerReport{Status: "unhealthy", Broker: "error", Database: "error", Worker: "error"}
	var id int64
	if err := h.db.QueryRow(ctx, "SELECT api.start_worker_probe()").Scan(&id); err == nil {
		report.Broker, report.Database = "ok", "ok"
		for ctx.Err() == nil {
			var state string
			var latency *float64
			if err := h.db.QueryRow(ctx, "SELECT state, latency_ms FROM api.worker_probe($1)", id).
				Scan(&state, &latency); err != nil {
				if ctx.Err() == nil {
					report.Broker, report.Database = "error", "error"
				}
				break
			}
			if state == "completed" {
				report.Status, report.Worker, report.ProbeLatencyMS = "ok", "ok", latency
				break
			}
			sleep(ctx, 10*time.Millisecond)
		}
	}
	h.mu.Lock()
	h.last, h.lastAt, h.inflight = report, time.Now(), nil
	h.mu.Unlock()
	close(done)
}
