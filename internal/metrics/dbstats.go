package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// dbStats exports values read from the database (SPEC §8). A scrape
// reloads them when they are older than maxAge, within timeout; when the
// database does not answer, the last good values are exported again and the
// error counter grows, so /metrics itself always answers.
type dbStats struct {
	load    func(context.Context) ([]prometheus.Metric, error)
	descs   []*prometheus.Desc
	maxAge  time.Duration
	timeout time.Duration
	now     func() time.Time // time.Now; tests move it instead of sleeping

	mu        sync.Mutex
	last      []prometheus.Metric
	refreshed time.Time

	refreshTS *prometheus.Desc
	errors    prometheus.Counter
}

// registerDBStats registers with reg the metrics descs, loaded by load; name
// ("queue_stats") names the refresh timestamp and error counter.
func registerDBStats(reg prometheus.Registerer, name, what string, descs []*prometheus.Desc,
	load func(context.Context) ([]prometheus.Metric, error)) {
	reg.MustRegister(newDBStats(name, what, descs, load, time.Now)...)
}

// newDBStats is registerDBStats's collectors, reading the time from now.
func newDBStats(name, what string, descs []*prometheus.Desc, load func(context.Context) ([]prometheus.Metric, error),
	now func() time.Time) []prometheus.Collector {
	s := &dbStats{
		load: load, descs: descs, maxAge: 5 * time.Second, timeout: time.Second, now: now,
		refreshTS: prometheus.NewDesc("skeldir_"+name+"_refreshed_timestamp_seconds",
			"When "+what+" were last read from the database.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "skeldir_" + name + "_refresh_errors_total",
			Help: "Failed reads of " + what + "; the last good values are kept meanwhile."}),
	}
	return []prometheus.Collector{s, s.errors}
}

func (s *dbStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
	ch <- s.refreshTS
}

func (s *dbStats) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock() // concurrent scrapes share one reload
	defer s.mu.Unlock()
	if s.now().Sub(s.refreshed) > s.maxAge {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		last, err := s.load(ctx)
		cancel()
		if err != nil {
			s.errors.Inc()
		} else {
			s.last, s.refreshed = last, s.now()
		}
	}
	for _, m := range s.last {
		ch <- m
	}
	if !s.refreshed.IsZero() {
		ch <- prometheus.MustNewConstMetric(s.refreshTS, prometheus.GaugeValue, float64(s.refreshed.UnixNano())/1e9)
	}
}
