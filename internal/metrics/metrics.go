// Package metrics holds the API listener's Prometheus registry: Go runtime
// and process collectors plus HTTP request counts and latency by route
// pattern. Label values come from closed sets only (SPEC §8): a route pattern,
// never a raw path; a known method or OTHER; a status code.
package metrics

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a registry with the Go runtime and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Handler serves reg in the Prometheus text format.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// HTTP counts requests and their latency by route pattern, and keeps
// process-wide totals for /api/health/detailed.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	total, serverErrors, micros atomic.Int64
}

// Totals are the requests answered since the process started, those
// answered with a 5xx, and the time spent answering them all.
type Totals struct {
	Requests, ServerErrors int64
	Elapsed                time.Duration
}

// NewHTTP registers the HTTP request metrics with reg.
func NewHTTP(reg prometheus.Registerer) *HTTP {
	m := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skeldir_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skeldir_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Observe records one answered request. route must be a route pattern.
func (m *HTTP) Observe(route, method string, code int, elapsed time.Duration) {
	method = knownMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(elapsed.Seconds())
	m.total.Add(1)
	m.micros.Add(elapsed.Microseconds())
	if code >= 500 {
		m.serverErrors.Add(1)
	}
}

// Totals reads the process-wide totals.
func (m *HTTP) Totals() Totals {
	return Totals{Requests: m.total.Load(), ServerErrors: m.serverErrors.Load(),
		Elapsed: time.Duration(m.micros.Load()) * time.Microsecond}
}

func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// Webhooks counts webhook deliveries by vendor and outcome.
type Webhooks struct {
	deliveries *prometheus.CounterVec
}

var (
	webhookVendors  = []string{"shopify", "stripe", "paypal", "woocommerce"}
	webhookOutcomes = []string{"accepted", "duplicate", "dlq_routed", "ping", "invalid_tenant_key",
		"invalid_signature", "not_found", "payload_too_large", "error"}
)

// NewWebhooks registers the webhook metrics with reg, every vendor and
// outcome starting at zero so that rates exist before the first delivery.
func NewWebhooks(reg prometheus.Registerer) *Webhooks {
	m := &Webhooks{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skeldir_webhook_deliveries_total",
		Help: "Webhook deliveries answered, by vendor and outcome.",
	}, []string{"vendor", "outcome"})}
	reg.MustRegister(m.deliveries)
	for _, v := range webhookVendors {
		for _, o := range webhookOutcomes {
			m.deliveries.WithLabelValues(v, o)
		}
	}
	return m
}

// Observe counts one delivery. Values outside the closed sets count as
// "other", so a crafted URL cannot mint a label.
func (m *Webhooks) Observe(vendor, outcome string) {
	m.deliveries.WithLabelValues(oneOf(vendor, webhookVendors), oneOf(outcome, webhookOutcomes)).Inc()
}

func oneOf(v string, set []string) string {
	for _, s := range set {
		if v == s {
			return v
		}
	}
	return "other"
}

// Jobs counts job runs by kind and outcome, and their durations, on the
// worker's own listener. Kinds come from the job_kinds table, a closed set.
type Jobs struct {
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewJobs registers the job metrics with reg.
func NewJobs(reg prometheus.Registerer) *Jobs {
	m := &Jobs{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skeldir_job_runs_total",
			Help: "Job attempts by kind and outcome (completed, retried, dead_lettered, superseded, not_leased, unsettled).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skeldir_job_duration_seconds",
			Help:    "Time a job attempt ran, by kind.",
			Buckets: []float64{.0005, .001, .005, .01, .05, .1, .5, 1, 5, 30, 300},
		}, []string{"kind"}),
	}
	reg.MustRegister(m.runs, m.duration)
	return m
}

// Observe records one attempt.
func (m *Jobs) Observe(kind, outcome string, elapsed time.Duration) {
	m.runs.WithLabelValues(kind, outcome).Inc()
	m.duration.WithLabelValues(kind).Observe(elapsed.Seconds())
}
