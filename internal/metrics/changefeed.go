package metrics

import "github.com/prometheus/client_golang/prometheus"

// ChangeFeed is the change feed's view from this worker (SPEC §7): how far
// the slot lags, and what the consumer applied. Gauges stay at zero on a
// worker that is not the consumer.
type ChangeFeed struct {
	LagBytes   prometheus.Gauge
	LagSeconds prometheus.Gauge
	Consuming  prometheus.Gauge
	Batches    prometheus.Counter
	changes    *prometheus.CounterVec
}

// NewChangeFeed registers the change feed metrics with reg.
func NewChangeFeed(reg prometheus.Registerer) *ChangeFeed {
	m := &ChangeFeed{
		LagBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "skeldir_change_feed_lag_bytes",
			Help: "WAL the change feed's slot holds beyond what it confirmed, as the server last said (consumer only)."}),
		LagSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Name: "skeldir_change_feed_lag_seconds",
			Help: "How long the change feed has had committed changes it has not yet confirmed (0 when caught up)."}),
		Consuming: prometheus.NewGauge(prometheus.GaugeOpts{Name: "skeldir_change_feed_consuming",
			Help: "1 while this worker streams the change feed's slot (one daemon at a time), else 0."}),
		Batches: prometheus.NewCounter(prometheus.CounterOpts{Name: "skeldir_change_feed_batches_total",
			Help: "Batches of decoded inserts the change feed applied."}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skeldir_change_feed_changes_total",
			Help: "Decoded inserts by outcome: applied, or skipped because an earlier run applied them."}, []string{"outcome"}),
	}
	reg.MustRegister(m.LagBytes, m.LagSeconds, m.Consuming, m.Batches, m.changes)
	m.changes.WithLabelValues("applied")
	m.changes.WithLabelValues("skipped")
	return m
}

// Applied counts one applied batch.
func (m *ChangeFeed) Applied(applied, skipped int) {
	m.Batches.Inc()
	m.changes.WithLabelValues("applied").Add(float64(applied))
	m.changes.WithLabelValues("skipped").Add(float64(skipped))
}
