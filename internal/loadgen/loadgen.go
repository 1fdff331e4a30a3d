// Package loadgen sends HTTP requests at a daemon the way a crowd of webhook
// senders would, and reports what came back: status counts, timeouts, rate
// and latency percentiles. The storm harness, the change feed tests and the
// ingest benchmark all drive Skeldir with it, over loopback only.
//
// The load itself is vegeta's (github.com/tsenart/vegeta/v12/lib): this
// package turns Next into a vegeta Targeter (the requests, signed by the
// caller, are built as they are sent) and vegeta's Metrics into a Report.
// With a Rate the loop is open: vegeta starts each request on schedule and
// adds workers when every one is busy, so a slow answer delays no later
// request (no coordinated omission). Every request is in the latency
// distribution, a timeout with the time it took to give up, so p99 counts
// timeouts.
package loadgen

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Request is one request to send (a POST); Path is joined to the base URL.
type Request struct {
	Path   string
	Header map[string]string
	Body   []byte
}

// Options shape a run.
type Options struct {
	// BaseURL is http://host:port of the daemon.
	BaseURL string
	// Requests is how many to send; Duration, when set, sends until it has
	// passed instead.
	Requests int
	Duration time.Duration
	// Concurrency is how many requests may be in flight at once in a closed
	// loop; in an open loop (Rate) it is how many workers start, and more
	// start whenever all are busy.
	Concurrency int
	// Rate, when positive, starts that many requests per second whatever
	// the answers do (an open loop); otherwise each of Concurrency workers
	// sends as soon as its previous answer came back.
	Rate float64
	// Timeout is how long one request may take before it counts as a timeout.
	Timeout time.Duration
	// Next builds request i (from 0). It is called from many goroutines.
	Next func(i int) Request
	// Inspect, when set, sees every answer (its request's i, status and
	// body), one at a time as they arrive.
	Inspect func(i, status int, body []byte)
}

// Report is what a run saw.
type Report struct {
	Sent     int
	Status   map[int]int // answers by status code
	Timeouts int
	Errors   int // transport failures other than timeouts
	Elapsed  time.Duration
	// Latency percentiles over every request, timeouts and errors included.
	P50, P90, P99, Max time.Duration
	// ErrorMessages are the distinct transport failures, timeouts included.
	ErrorMessages []string
}

// Rate is answered requests per second.
func (r Report) Rate() float64 { return float64(r.Sent-r.Timeouts-r.Errors) / r.Elapsed.Seconds() }

// ServerErrors counts 5xx answers.
func (r Report) ServerErrors() int {
	n := 0
	for code, c := range r.Status {
		if code >= 500 {
			n += c
		}
	}
	return n
}

// limited stops a pacer after n hits.
type limited struct {
	vegeta.Pacer
	n uint64
}

func (l limited) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= l.n {
		return 0, true
	}
	return l.Pacer.Pace(elapsed, hits)
}

// Run sends the requests and waits for every answer.
func Run(ctx context.Context, o Options) Report {
	workers := uint64(max(o.Concurrency, 1))
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(o.Timeout), vegeta.Workers(workers), vegeta.Redirects(vegeta.NoFollow), vegeta.Proxy(nil),
	}
	var pacer vegeta.Pacer = vegeta.ConstantPacer{} // zero: no pacing
	if o.Rate > 0 {
		pacer = vegeta.ConstantPacer{Freq: max(1, int(math.Round(o.Rate))), Per: time.Second}
	} else {
		opts = append(opts, vegeta.MaxWorkers(workers))
	}
	if o.Duration == 0 {
		pacer = limited{pacer, uint64(o.Requests)}
	}
	attacker := vegeta.NewAttacker(opts...)

	// The request's i rides in the URL's fragment, which HTTP never sends,
	// so that its answer can be matched to it.
	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := int(next.Add(1) - 1)
		r := o.Next(i)
		t.Method, t.URL, t.Body = http.MethodPost, o.BaseURL+r.Path+"#"+strconv.Itoa(i), r.Body
		t.Header = make(http.Header, len(r.Header))
		for k, v := range r.Header {
			t.Header.Set(k, v)
		}
		return nil
	}

	stop := context.AfterFunc(ctx, func() { attacker.Stop() })
	defer stop()
	rep := Report{Status: map[int]int{}}
	var m vegeta.Metrics
	failures := map[string]bool{}
	start := time.Now()
	for res := range attacker.Attack(targeter, pacer, o.Duration, "") {
		m.Add(res)
		_, frag, _ := strings.Cut(res.URL, "#")
		switch {
		case res.Code != 0:
			rep.Status[int(res.Code)]++
			if o.Inspect != nil {
				i, _ := strconv.Atoi(frag)
				o.Inspect(i, int(res.Code), res.Body)
			}
		case isTimeout(res.Error):
			rep.Timeouts++
		default:
			rep.Errors++
		}
		if msg := strings.Replace(res.Error, "#"+frag, "", 1); res.Code == 0 && !failures[msg] {
			failures[msg] = true
			rep.ErrorMessages = append(rep.ErrorMessages, msg)
		}
	}
	rep.Elapsed = time.Since(start)
	m.Close()
	rep.Sent = int(m.Requests)
	rep.P50, rep.P90, rep.P99, rep.Max = m.Latencies.P50, m.Latencies.P90, m.Latencies.P99, m.Latencies.Max
	return rep
}

// isTimeout tells a timeout from vegeta's error text (net/http's "Client.Timeout
// exceeded", a dial's "i/o timeout").
func isTimeout(err string) bool { return strings.Contains(strings.ToLower(err), "timeout") }
