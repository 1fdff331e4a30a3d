package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The database's values are read at most once per maxAge; when a read
// fails, the last good values are exported again and the error counter
// grows. The clock is the test's, so no test waits for the cache to age.
func TestDatabaseStatsAreCachedAndOutliveAFailedRead(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	desc := prometheus.NewDesc("skeldir_test_jobs", "Jobs.", nil, nil)
	var reads int
	var fail bool
	load := func(context.Context) ([]prometheus.Metric, error) {
		reads++
		if fail {
			return nil, errors.New("the database is down")
		}
		return []prometheus.Metric{prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(reads))}, nil
	}
	// The error counter is gathered after the scrape, from a registry of
	// its own: a registry gathers its collectors concurrently, so one
	// holding both could read the counter before the failed read counts.
	collectors := newDBStats("test_stats", "test values", []*prometheus.Desc{desc}, load,
		func() time.Time { return clock })
	reg, errReg := prometheus.NewPedanticRegistry(), prometheus.NewPedanticRegistry()
	reg.MustRegister(collectors[0])
	errReg.MustRegister(collectors[1])
	// scrape is one scrape: the gauge's value and the error counter's.
	scrape := func() (jobs, failed float64) {
		t.Helper()
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		counted, err := errReg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(families, counted...) {
			switch f.GetName() {
			case "skeldir_test_jobs":
				jobs = f.GetMetric()[0].GetGauge().GetValue()
			case "skeldir_test_stats_refresh_errors_total":
				failed = f.GetMetric()[0].GetCounter().GetValue()
			}
		}
		return jobs, failed
	}

	if v, _ := scrape(); v != 1 || reads != 1 {
		t.Fatalf("first scrape: value %v after %d reads", v, reads)
	}
	clock = clock.Add(4 * time.Second)
	if v, _ := scrape(); v != 1 || reads != 1 {
		t.Errorf("within maxAge: value %v after %d reads, want the cached 1 after 1", v, reads)
	}
	clock = clock.Add(2 * time.Second)
	fail = true
	if v, failed := scrape(); v != 1 || reads != 2 || failed != 1 {
		t.Errorf("a failed read: value %v after %d reads, %v errors; want the last good 1, 2 reads, 1 error", v, reads, failed)
	}
	if v, failed := scrape(); v != 1 || reads != 3 || failed != 2 {
		t.Errorf("still failing: value %v after %d reads, %v errors; want 1, 3 (each scrape tries again), 2", v, reads, failed)
	}
	fail = false
	if v, _ := scrape(); v != 4 || reads != 4 {
		t.Errorf("back: value %v after %d reads, want 4 after 4", v, reads)
	}
}
