package dispatch

import (
	"context"
	"time"

	"github.com/skeldir/skeldir/internal/metrics"
)

// queueStats reads api.queue_stats() for the /metrics gauges.
func queueStats(db DB) func(context.Context) ([]metrics.QueueRow, error) {
	return func(ctx context.Context) ([]metrics.QueueRow, error) {
		rows, err := db.Query(ctx, "SELECT queue, state, jobs, coalesce(oldest_due_seconds, 0) FROM api.queue_stats()")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []metrics.QueueRow
		for rows.Next() {
			var r metrics.QueueRow
			var jobs int64
			if err := rows.Scan(&r.Queue, &r.State, &jobs, &r.OldestDueSeconds); err != nil {
				return nil, err
			}
			r.Jobs = float64(jobs)
			out = append(out, r)
		}
		return out, rows.Err()
	}
}

// MatviewStats reads worker.matview_refresh_stats() for the worker's metrics.
func MatviewStats(db DB) func(context.Context) ([]metrics.MatviewRow, error) {
	return func(ctx context.Context) ([]metrics.MatviewRow, error) {
		rows, err := db.Query(ctx, "SELECT view_name, outcome, refreshes, seconds, last_at FROM worker.matview_refresh_stats()")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []metrics.MatviewRow
		for rows.Next() {
			var r metrics.MatviewRow
			var n int64
			var last *time.Time
			if err := rows.Scan(&r.View, &r.Outcome, &n, &r.Seconds, &last); err != nil {
				return nil, err
			}
			r.Refreshes = float64(n)
			if last != nil {
				r.LastAt = *last
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
}
