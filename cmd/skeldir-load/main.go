// Command skeldir-load sends signed webhook deliveries at a running skeldird
// over loopback and prints one JSON line: rate, latency percentiles and
// answers by status. `make bench-ingest` uses it; so can an operator sizing a
// deployment. The load is vegeta's (see internal/loadgen): with -rate it is
// an open loop, and the percentiles count every delivery, timeouts (at 30 s)
// and transport errors included. It exits 1 when any delivery was answered
// 5xx, timed out or failed.
//
//	skeldir-load -url http://127.0.0.1:8080 -key skd_... -secret whsec_... -duration 15s -c 32
//	skeldir-load ... -rate 500        # an open loop at 500 deliveries/s, for latency
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/skeldir/skeldir/internal/loadgen"
	"github.com/skeldir/skeldir/internal/signing"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "skeldird base URL (loopback)")
	key := flag.String("key", os.Getenv("SKELDIR_TENANT_KEY"), "tenant API key (or SKELDIR_TENANT_KEY)")
	secret := flag.String("secret", os.Getenv("SKELDIR_SHOPIFY_SECRET"), "the tenant's Shopify webhook secret (or SKELDIR_SHOPIFY_SECRET)")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	conc := flag.Int("c", 32, "deliveries in flight at once (with -rate: workers to start with; more start when all are busy)")
	rate := flag.Float64("rate", 0, "deliveries started per second whatever the answers do (an open loop); 0: -c at a time, each as soon as the previous answer returns")
	first := flag.Int64("first-id", time.Now().UnixNano()/1000, "order id of the first delivery; each is new")
	flag.Parse()
	if *key == "" || *secret == "" || !strings.HasPrefix(*url, "http://127.") {
		fmt.Fprintln(os.Stderr, "skeldir-load: -key and -secret are required, and -url must be a loopback address")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := loadgen.Run(ctx, loadgen.Options{
		BaseURL: *url, Duration: *duration, Concurrency: *conc, Rate: *rate, Timeout: 30 * time.Second,
		Next: func(i int) loadgen.Request {
			body := []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "129.99", "currency": "USD", "created_at": "2026-11-26T10:00:00Z", "note_attributes": [{"name": "utm_source", "value": "google"}, {"name": "utm_medium", "value": "cpc"}]}`, *first+int64(i), i))
			h := signing.Headers("shopify", *secret, body, time.Now())
			h["X-Skeldir-Tenant-Key"] = *key
			h["Content-Type"] = "application/json"
			return loadgen.Request{Path: "/api/webhooks/shopify/order_create", Header: h, Body: body}
		},
	})
	status := map[string]int{}
	for code, n := range rep.Status {
		status[fmt.Sprint(code)] = n
	}
	out := map[string]any{
		"sent": rep.Sent, "rate": rep.Rate(), "requested_rate": *rate,
		"p50_ms": ms(rep.P50), "p90_ms": ms(rep.P90), "p99_ms": ms(rep.P99), "max_ms": ms(rep.Max),
		"status": status, "timeouts": rep.Timeouts, "errors": rep.Errors, "seconds": rep.Elapsed.Seconds(),
	}
	if len(rep.ErrorMessages) > 0 {
		out["error_messages"] = rep.ErrorMessages
	}
	json.NewEncoder(os.Stdout).Encode(out)
	if rep.ServerErrors() > 0 || rep.Timeouts > 0 || rep.Errors > 0 {
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
