package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MatviewRow is one line of refresh statistics: how often a materialized
// view's refresh had an outcome (refreshed, skipped, failed), and the
// seconds those refreshes took in all.
type MatviewRow struct {
	View, Outcome string
	Refreshes     float64
	Seconds       float64
	// LastAt is when the view last had this outcome (zero if never).
	LastAt time.Time
}

// RegisterMatviewStats registers refresh counts and durations by view and
// outcome, loaded by load, with reg. They are the database's totals (every
// worker daemon exports the same), read and cached like the queue's.
func RegisterMatviewStats(reg prometheus.Registerer, load func(context.Context) ([]MatviewRow, error)) {
	refreshes := prometheus.NewDesc("skeldir_matview_refreshes_total",
		"Materialized view refreshes by view and outcome (refreshed, skipped, failed).", []string{"view", "outcome"}, nil)
	seconds := prometheus.NewDesc("skeldir_matview_refresh_seconds_total",
		"Seconds spent in materialized view refreshes, by view and outcome.", []string{"view", "outcome"}, nil)
	last := prometheus.NewDesc("skeldir_matview_last_refresh_timestamp_seconds",
		"When a materialized view last refreshed (Unix time); absent until it has.", []string{"view"}, nil)
	registerDBStats(reg, "matview_stats", "materialized view statistics", []*prometheus.Desc{refreshes, seconds, last},
		func(ctx context.Context) ([]prometheus.Metric, error) {
			rows, err := load(ctx)
			if err != nil {
				return nil, err
			}
			var out []prometheus.Metric
			for _, r := range rows {
				out = append(out,
					prometheus.MustNewConstMetric(refreshes, prometheus.CounterValue, r.Refreshes, r.View, r.Outcome),
					prometheus.MustNewConstMetric(seconds, prometheus.CounterValue, r.Seconds, r.View, r.Outcome))
				if r.Outcome == "refreshed" && !r.LastAt.IsZero() {
					out = append(out, prometheus.MustNewConstMetric(last, prometheus.GaugeValue,
						float64(r.LastAt.UnixNano())/1e9, r.View))
				}
			}
			return out, nil
		})
}
