// Package loadgen sends HTTP requests at a daemon the way a crowd of webhook
// senders would, and reports what came back: status counts, timeouts, rate
// and latency percentiles. The storm harness and the ingest benchmark both
// drive Skeldir with it, over loopback only.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Request is one request to send; Path is joined to the base URL.
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
	// Concurrency is how many requests may be in flight at once.
	Concurrency int
	// Rate, when positive, paces starts to that many per second (an open
	// loop); otherwise each worker sends as fast as answers come back.
	Rate float64
	// Timeout is how long one request may take before it counts as a timeout.
	Timeout time.Duration
	// Next builds request i (from 0). It is called from many goroutines.
	Next func(i int) Request
	// Inspect, when set, sees every answer (status and body), from many
	// goroutines.
	Inspect func(i, status int, body []byte)
}

// Report is what a run saw.
type Report struct {
	Sent     int
	Status   map[int]int
	Timeouts int
	Errors   int // transport failures other than timeouts
	Elapsed  time.Duration
	P50, P99 time.Duration
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

// Run sends the requests and waits for every answer.
func Run(ctx context.Context, o Options) Report {
	client := &http.Client{Timeout: o.Timeout, Transport: &http.Transport{
		MaxIdleConns: o.Concurrency, MaxIdleConnsPerHost: o.Concurrency, IdleConnTimeout: time.Minute,
	}}
	defer client.CloseIdleConnections()

	jobs := make(chan int)
	var mu sync.Mutex
	rep := Report{Status: map[int]int{}}
	latencies := make([]time.Duration, 0, max(o.Requests, 1024))

	var wg sync.WaitGroup
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				status, body, took, err := send(ctx, client, o.BaseURL, o.Next(i))
				if err == nil && o.Inspect != nil {
					o.Inspect(i, status, body)
				}
				mu.Lock()
				rep.Sent++
				switch {
				case err == nil:
					rep.Status[status]++
					latencies = append(latencies, took)
				case isTimeout(err):
					rep.Timeouts++
				default:
					rep.Errors++
				}
				mu.Unlock()
			}
		}()
	}

	start := time.Now()
	var tick *time.Ticker
	if o.Rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / o.Rate))
		defer tick.Stop()
	}
	for i := 0; ; i++ {
		if o.Duration > 0 && time.Since(start) >= o.Duration || o.Duration == 0 && i >= o.Requests || ctx.Err() != nil {
			break
		}
		if tick != nil {
			<-tick.C
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	slices.Sort(latencies)
	rep.P50, rep.P99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
	return rep
}

func send(ctx context.Context, client *http.Client, base string, r Request) (int, []byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return 0, nil, 0, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, time.Since(start), err
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}
