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
//	skeldir-load ... -order order.json # real-shaped orders: this one, renumbered
//
// By default each delivery is a small order. With -order, each is the given
// Shopify order (customer, addresses, browser IP, note, line items: what a
// store sends, about 12 kB for the testdata one) with its own id, number and
// times, so that the load pays for parsing and PII projection as real
// traffic does.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
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
	orderFile := flag.String("order", "", "a Shopify order (JSON) every delivery copies, with its own id, number and times; empty: a small order")
	flag.Parse()
	if *key == "" || *secret == "" || !strings.HasPrefix(*url, "http://127.") {
		fmt.Fprintln(os.Stderr, "skeldir-load: -key and -secret are required, and -url must be a loopback address")
		os.Exit(2)
	}

	order := smallOrder
	if *orderFile != "" {
		var err error
		if order, err = orderFrom(*orderFile); err != nil {
			fmt.Fprintln(os.Stderr, "skeldir-load:", err)
			os.Exit(2)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := loadgen.Run(ctx, loadgen.Options{
		BaseURL: *url, Duration: *duration, Concurrency: *conc, Rate: *rate, Timeout: 30 * time.Second,
		Next: func(i int) loadgen.Request {
			now := time.Now()
			body := order(*first+int64(i), i, now)
			h := signing.Headers("shopify", *secret, body, now)
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

// smallOrder is an order with only the fields ingest reads.
func smallOrder(id int64, number int, _ time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id": %d, "order_number": %d, "total_price": "129.99", "currency": "USD", "created_at": "2026-11-26T10:00:00Z", "note_attributes": [{"name": "utm_source", "value": "google"}, {"name": "utm_medium", "value": "cpc"}]}`, id, number))
}

// Placeholders orderFrom writes into the order and each delivery replaces:
// replacing bytes costs a few microseconds a delivery where encoding the
// order again would cost the daemon's CPU a tenth of a core at peak.
const (
	idMark     = "8888800000000000001"
	numberMark = "8888800000000000002"
	timeMark   = "8888-08-08T08:08:08Z"
)

// orderFrom reads a Shopify order and returns bodies that copy it, each
// with its own id, order number and name, and created, processed and
// updated at the delivery's time.
func orderFrom(path string) (func(id int64, number int, at time.Time) []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", path, err)
	}
	doc["id"], doc["order_number"], doc["number"] = json.RawMessage(idMark), json.RawMessage(numberMark), json.RawMessage(numberMark)
	// Each order comes from a visit of its own: with the store's one session
	// id in every copy, each purchase's touches would be every order before
	// it, and attribution would cost the square of the load.
	notes, err := withSession(doc["note_attributes"], "sess-"+idMark)
	if err != nil {
		return nil, fmt.Errorf("%s: note_attributes: %w", path, err)
	}
	doc["note_attributes"] = notes
	doc["name"] = json.RawMessage(`"#` + numberMark + `"`)
	for _, k := range []string{"created_at", "processed_at", "updated_at"} {
		doc[k] = json.RawMessage(`"` + timeMark + `"`)
	}
	base, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return func(id int64, number int, at time.Time) []byte {
		b := bytes.ReplaceAll(base, []byte(idMark), strconv.AppendInt(nil, id, 10))
		b = bytes.ReplaceAll(b, []byte(numberMark), strconv.AppendInt(nil, int64(1000+number), 10))
		return bytes.ReplaceAll(b, []byte(timeMark), at.UTC().AppendFormat(nil, time.RFC3339))
	}, nil
}

// withSession returns the order's note attributes with skeldir_session_id
// (the storefront's session, which attribution follows) set to session.
func withSession(raw json.RawMessage, session string) (json.RawMessage, error) {
	var notes []map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &notes); err != nil {
			return nil, err
		}
	}
	found := false
	for _, n := range notes {
		if n["name"] == "skeldir_session_id" {
			n["value"], found = session, true
		}
	}
	if !found {
		notes = append(notes, map[string]any{"name": "skeldir_session_id", "value": session})
	}
	return json.Marshal(notes)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
