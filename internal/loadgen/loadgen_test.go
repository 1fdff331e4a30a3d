package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A closed loop sends exactly Requests, never more than Concurrency at
// once, and hands each answer to Inspect with the i of its request.
func TestClosedLoop(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Test") != string(body) {
			w.WriteHeader(http.StatusBadRequest)
		}
		w.Write(body)
	}))
	defer srv.Close()

	var mu sync.Mutex
	seen := map[int]string{}
	rep := Run(context.Background(), Options{BaseURL: srv.URL, Requests: 300, Concurrency: 4, Timeout: 5 * time.Second,
		Next: func(i int) Request {
			return Request{Path: "/x", Header: map[string]string{"X-Test": strconv.Itoa(i)}, Body: []byte(strconv.Itoa(i))}
		},
		Inspect: func(i, status int, body []byte) {
			mu.Lock()
			defer mu.Unlock()
			seen[i] = strconv.Itoa(status) + " " + string(body)
		}})
	if rep.Sent != 300 || rep.Status[200] != 300 || rep.Timeouts != 0 || rep.Errors != 0 {
		t.Fatalf("want 300 sent and answered 200, got %+v", rep)
	}
	for i := range 300 {
		if seen[i] != "200 "+strconv.Itoa(i) {
			t.Fatalf("Inspect saw request %d answered %q", i, seen[i])
		}
	}
	if p := peak.Load(); p > 4 {
		t.Errorf("%d requests were in flight at once; Concurrency is 4", p)
	}
	if rep.P50 <= 0 || rep.P99 < rep.P50 || rep.Max < rep.P99 || rep.Rate() <= 0 {
		t.Errorf("latencies or rate are not plausible: %+v, %.0f/s", rep, rep.Rate())
	}
}

// A request that times out is a timeout, not an answer, and its latency
// (the timeout) is in the percentiles.
func TestTimeoutsAreCountedAndInTheLatencies(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Slow") != "" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)

	const timeout = 300 * time.Millisecond
	rep := Run(context.Background(), Options{BaseURL: srv.URL, Requests: 50, Concurrency: 10, Timeout: timeout,
		Next: func(i int) Request {
			if i%10 == 0 {
				return Request{Path: "/", Header: map[string]string{"X-Slow": "1"}}
			}
			return Request{Path: "/"}
		}})
	if rep.Sent != 50 || rep.Timeouts != 5 || rep.Errors != 0 || rep.Status[200] != 45 {
		t.Fatalf("want 5 timeouts and 45 answers, got %+v", rep)
	}
	if rep.P99 < timeout*9/10 || rep.Max < timeout {
		t.Errorf("p99 %v, max %v: the timeouts (%v) are not in the latencies", rep.P99, rep.Max, timeout)
	}
	if len(rep.ErrorMessages) != 1 {
		t.Errorf("want the timeout's message, got %q", rep.ErrorMessages)
	}
}

// An open loop starts requests on schedule while earlier ones are stuck:
// a stalled answer holds back no later request (no coordinated omission).
func TestOpenLoopDoesNotWaitForAnswers(t *testing.T) {
	stalled := make(chan struct{})
	var startedDuringStall atomic.Int64
	var first atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(false, true) {
			time.Sleep(500 * time.Millisecond)
			close(stalled)
			return
		}
		select {
		case <-stalled:
		default:
			startedDuringStall.Add(1)
		}
	}))
	defer srv.Close()

	rep := Run(context.Background(), Options{BaseURL: srv.URL, Duration: time.Second, Rate: 100, Concurrency: 1,
		Timeout: 5 * time.Second, Next: func(int) Request { return Request{Path: "/"} }})
	if rep.Sent < 90 || rep.Sent > 110 || rep.Status[200] != rep.Sent {
		t.Fatalf("want about 100 requests in 1 s at 100/s, all answered, got %+v", rep)
	}
	if n := startedDuringStall.Load(); n < 35 {
		t.Errorf("only %d requests started while the first one stalled for 0.5 s at 100/s", n)
	}
	if rep.Max < 500*time.Millisecond {
		t.Errorf("max latency %v: the stalled answer is not in the latencies", rep.Max)
	}
}
