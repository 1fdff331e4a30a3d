package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueRow is one line of queue statistics: jobs of a queue in a state, and
// for available jobs the age of the oldest one due.
type QueueRow struct {
	Queue, State     string
	Jobs             float64
	OldestDueSeconds float64
}

// RegisterQueueStats registers queue depth and age, loaded by load, with reg
// (read from the database, cached; see dbStats).
func RegisterQueueStats(reg prometheus.Registerer, load func(context.Context) ([]QueueRow, error)) {
	jobs := prometheus.NewDesc("skeldir_queue_jobs", "Jobs by queue and state, as of the last refresh.",
		[]string{"queue", "state"}, nil)
	oldest := prometheus.NewDesc("skeldir_queue_oldest_due_seconds",
		"Age of the oldest job due but not started, by queue, as of the last refresh.", []string{"queue"}, nil)
	registerDBStats(reg, "queue_stats", "queue statistics", []*prometheus.Desc{jobs, oldest},
		func(ctx context.Context) ([]prometheus.Metric, error) {
			rows, err := load(ctx)
			if err != nil {
				return nil, err
			}
			var out []prometheus.Metric
			for _, r := range rows {
				out = append(out, prometheus.MustNewConstMetric(jobs, prometheus.GaugeValue, r.Jobs, r.Queue, r.State))
				if r.State == "available" {
					out = append(out, prometheus.MustNewConstMetric(oldest, prometheus.GaugeValue, r.OldestDueSeconds, r.Queue))
				}
			}
			return out, nil
		})
}
