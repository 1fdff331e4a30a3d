package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueRow is one line of queue statistics: jobs of a queue in a state, and
// for available jobs the age of the oldest one due.
type QueueRow struct {
	Queue, State     string
	Jobs             float64
	OldestDueSeconds float64
}

// QueueStats exports queue depth and age read from the database (SPEC §8).
// A scrape refreshes them when they are older than MaxAge, within Timeout;
// when the database does not answer, the last good values are exported
// again and the error counter grows, so /metrics itself always answers.
type QueueStats struct {
	load    func(context.Context) ([]QueueRow, error)
	maxAge  time.Duration
	timeout time.Duration

	mu        sync.Mutex
	rows      []QueueRow
	refreshed time.Time

	jobs      *prometheus.Desc
	oldest    *prometheus.Desc
	refreshTS *prometheus.Desc
	errors    prometheus.Counter
}

// NewQueueStats registers queue statistics loaded by load with reg.
func NewQueueStats(reg prometheus.Registerer, load func(context.Context) ([]QueueRow, error)) *QueueStats {
	q := &QueueStats{
		load: load, maxAge: 5 * time.Second, timeout: time.Second,
		jobs: prometheus.NewDesc("skeldir_queue_jobs", "Jobs by queue and state, as of the last refresh.",
			[]string{"queue", "state"}, nil),
		oldest: prometheus.NewDesc("skeldir_queue_oldest_due_seconds",
			"Age of the oldest job due but not started, by queue, as of the last refresh.", []string{"queue"}, nil),
		refreshTS: prometheus.NewDesc("skeldir_queue_stats_refreshed_timestamp_seconds",
			"When queue statistics were last read from the database.", nil, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "skeldir_queue_stats_refresh_errors_total",
			Help: "Failed reads of queue statistics; the last good values are kept meanwhile."}),
	}
	reg.MustRegister(q, q.errors)
	return q
}

func (q *QueueStats) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.jobs
	ch <- q.oldest
	ch <- q.refreshTS
}

func (q *QueueStats) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock() // concurrent scrapes share one refresh
	defer q.mu.Unlock()
	if time.Since(q.refreshed) > q.maxAge {
		ctx, cancel := context.WithTimeout(context.Background(), q.timeout)
		rows, err := q.load(ctx)
		cancel()
		if err != nil {
			q.errors.Inc()
		} else {
			q.rows, q.refreshed = rows, time.Now()
		}
	}
	for _, r := range q.rows {
		ch <- prometheus.MustNewConstMetric(q.jobs, prometheus.GaugeValue, r.Jobs, r.Queue, r.State)
		if r.State == "available" {
			ch <- prometheus.MustNewConstMetric(q.oldest, prometheus.GaugeValue, r.OldestDueSeconds, r.Queue)
		}
	}
	if !q.refreshed.IsZero() {
		ch <- prometheus.MustNewConstMetric(q.refreshTS, prometheus.GaugeValue, float64(q.refreshed.UnixNano())/1e9)
	}
}
