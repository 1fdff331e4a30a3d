package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

type tenant struct {
	ID      string            `json:"tenant_id"`
	Key     string            `json:"api_key"`
	Secrets map[string]string `json:"webhook_secrets"`
	URLs    map[string]string `json:"webhook_urls"`
}

func createTenant(t *testing.T, db *testdb.DB, name string) tenant {
	t.Helper()
	var tn tenant
	if err := db.Pool(t, testdb.Admin).QueryRow(context.Background(),
		"SELECT admin.create_tenant($1)", name).Scan(&tn); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return tn
}

// webhookFixture is the usual start of a webhook test, which runs in
// parallel: a database, a daemon serving it, and one tenant.
func webhookFixture(t *testing.T) (*testdb.DB, *testdaemon.Daemon, tenant) {
	t.Helper()
	t.Parallel()
	db := testdb.New(t)
	return db, startAPI(t, db), createTenant(t, db, "Acme")
}

type answer struct {
	Status int
	Body   map[string]any
}

// deliver posts body to /api/webhooks/<vendor>[/<route>] as tn, signed with
// tn's current secret unless extra overrides the headers.
func (tn tenant) deliver(t *testing.T, d *testdaemon.Daemon, vendor, route string, body []byte, extra map[string]string) answer {
	t.Helper()
	h := map[string]string{"X-Skeldir-Tenant-Key": tn.Key}
	for k, v := range extra {
		h[k] = v
	}
	return tn.post(t, d, "/api/webhooks/"+vendor, vendor, route, body, h)
}

// deliverToURL posts body to tn's webhook URL for vendor (below it at route,
// unless route is ""), as a stock store does: no tenant header.
func (tn tenant) deliverToURL(t *testing.T, d *testdaemon.Daemon, vendor, route string, body []byte, extra map[string]string) answer {
	t.Helper()
	return tn.post(t, d, tn.URLs[vendor], vendor, route, body, extra)
}

// post sends body to base[/route], signed with tn's current secret for
// vendor; extra overrides headers ("" removes one).
func (tn tenant) post(t *testing.T, d *testdaemon.Daemon, base, vendor, route string, body []byte, extra map[string]string) answer {
	t.Helper()
	h := signing.Headers(vendor, tn.Secrets[vendor], body, time.Now())
	h["Content-Type"] = "application/json"
	for k, v := range extra {
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	path := base
	if route != "" {
		path += "/" + route
	}
	resp, raw := d.Do(t, "POST", path, body, h)
	var a answer
	a.Status = resp.StatusCode
	if err := json.Unmarshal(raw, &a.Body); err != nil {
		t.Fatalf("POST %s: %d, body not JSON: %s", path, resp.StatusCode, raw)
	}
	return a
}

// count runs a count query as the superuser, who sees every tenant.
func count(t *testing.T, db *testdb.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// sample is a realistic body for each of the 15 contract paths and the
// chargeback path; n makes its objects unique.
type sample struct {
	vendor, route, topic string
	body                 func(n int) string
}

var samples = []sample{
	{"shopify", "order_create", "orders/create", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_number": 1001, "total_price": "129.99", "currency": "USD", "created_at": "2026-11-20T14:30:00-05:00", "email": "buyer@example.com", "customer": {"id": 7, "first_name": "Ada", "last_name": "L"}, "landing_site": "/?utm_source=google&utm_medium=cpc", "note_attributes": [{"name": "skeldir_session_id", "value": "sess_%d"}]}`, n, n)
	}},
	{"shopify", "orders/paid", "orders/paid", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_number": 1001, "total_price": "129.99", "currency": "USD", "financial_status": "paid", "created_at": "2026-11-20T19:30:00Z"}`, n)
	}},
	{"shopify", "refunds/create", "refunds/create", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_id": %d, "created_at": "2026-11-21T10:00:00Z", "transactions": [{"id": 1, "amount": "29.99", "kind": "refund", "currency": "USD"}]}`, n+500000000, n)
	}},
	{"shopify", "checkouts/update", "checkouts/update", func(n int) string {
		return fmt.Sprintf(`{"token": "chk_%d", "total_price": "10.00", "currency": "USD", "email": "x@example.com"}`, n)
	}},
	{"stripe", "charge/succeeded", "charge.succeeded", func(n int) string {
		return fmt.Sprintf(`{"id": "evt_ch_%d", "type": "charge.succeeded", "created": 1732631400, "data": {"object": {"id": "ch_%d", "object": "charge", "amount": 12999, "currency": "usd", "status": "succeeded", "payment_intent": "pi_%d", "receipt_email": "r@example.com", "metadata": {"order_id": "ord_%d", "utm_source": "facebook", "utm_medium": "paid_social"}}}}`, n, n, n, n)
	}},
	{"stripe", "payment_intent_succeeded", "payment_intent.succeeded", func(n int) string {
		return fmt.Sprintf(`{"id": "evt_pi_%d", "type": "payment_intent.succeeded", "created": 1732631500, "data": {"object": {"id": "pi_%d", "object": "payment_intent", "amount": 12999, "amount_received": 12999, "currency": "usd", "status": "succeeded", "metadata": {"order_id": "ord_%d"}}}}`, n, n, n)
	}},
	{"stripe", "payment_intent/succeeded", "payment_intent.succeeded", func(n int) string {
		return fmt.Sprintf(`{"id": "evt_pi2_%d", "type": "payment_intent.succeeded", "created": 1732631500, "data": {"object": {"id": "pi_x%d", "object": "payment_intent", "amount": 500, "currency": "eur", "status": "succeeded"}}}`, n, n)
	}},
	{"stripe", "charge/refunded", "charge.refunded", func(n int) string {
		return fmt.Sprintf(`{"id": "evt_re_%d", "type": "charge.refunded", "created": 1732632000, "data": {"object": {"id": "ch_%d", "object": "charge", "amount": 12999, "amount_refunded": 2999, "currency": "usd", "status": "succeeded", "payment_intent": "pi_%d", "metadata": {"order_id": "ord_%d"}}}}`, n, n, n, n)
	}},
	{"paypal", "sale_completed", "PAYMENT.SALE.COMPLETED", func(n int) string {
		return fmt.Sprintf(`{"id": "WH-S%d", "event_type": "PAYMENT.SALE.COMPLETED", "create_time": "2026-11-20T14:30:00Z", "resource": {"id": "SALE-%d", "state": "completed", "amount": {"total": "129.99", "currency": "USD"}, "custom_id": "sess_%d"}}`, n, n, n)
	}},
	{"paypal", "payment/capture/completed", "PAYMENT.CAPTURE.COMPLETED", func(n int) string {
		return fmt.Sprintf(`{"id": "WH-C%d", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "CAP-%d", "status": "COMPLETED", "amount": {"value": "249.99", "currency_code": "USD"}, "create_time": "2026-11-20T14:30:00Z"}}`, n, n)
	}},
	{"paypal", "payment/sale/refunded", "PAYMENT.SALE.REFUNDED", func(n int) string {
		return fmt.Sprintf(`{"id": "WH-R%d", "event_type": "PAYMENT.SALE.REFUNDED", "resource": {"id": "REF-%d", "sale_id": "SALE-%d", "amount": {"total": "29.99", "currency": "USD"}, "create_time": "2026-11-21T14:30:00Z"}}`, n, n, n)
	}},
	{"woocommerce", "order/created", "order.created", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_key": "wc_order_%d", "status": "processing", "total": "129.99", "currency": "USD", "date_created": "2026-11-20T14:30:00", "billing": {"first_name": "A", "email": "a@example.com"}, "meta_data": [{"id": 1, "key": "utm_source", "value": "newsletter"}]}`, n, n)
	}},
	{"woocommerce", "order/updated", "order.updated", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_key": "wc_order_%d", "status": "on-hold", "total": "129.99", "currency": "USD", "date_created": "2026-11-20T14:30:00"}`, n, n)
	}},
	{"woocommerce", "order_completed", "order.completed", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_key": "wc_order_%d", "status": "completed", "total": "129.99", "currency": "USD", "date_created": "2026-11-20T14:30:00"}`, n, n)
	}},
	{"woocommerce", "order/refunded", "order.refunded", func(n int) string {
		return fmt.Sprintf(`{"id": %d, "order_key": "wc_order_%d", "status": "refunded", "total": "129.99", "currency": "USD", "date_created": "2026-11-20T14:30:00", "refunds": [{"id": 9, "total": "-29.99"}]}`, n, n)
	}},
	{"stripe", "charge/dispute/created", "charge.dispute.created", func(n int) string {
		return fmt.Sprintf(`{"id": "evt_dp_%d", "type": "charge.dispute.created", "created": 1732633000, "data": {"object": {"id": "dp_%d", "object": "dispute", "amount": 12999, "currency": "usd", "charge": "ch_%d", "payment_intent": "pi_%d", "reason": "fraudulent", "status": "needs_response"}}}`, n, n, n, n)
	}},
}

func TestEveryWebhookPathAcceptsAValidDeliveryOnce(t *testing.T) {
	db, d, tn := webhookFixture(t)
	for i, s := range samples {
		body := []byte(s.body(1000 + i))
		first := tn.deliver(t, d, s.vendor, s.route, body, nil)
		again := tn.deliver(t, d, s.vendor, s.route, body, nil)
		if first.Status != 200 || first.Body["status"] != "accepted" || first.Body["message"] != "Webhook received" {
			t.Errorf("%s/%s: %d %v", s.vendor, s.route, first.Status, first.Body)
			continue
		}
		if again.Status != 200 || again.Body["status"] != "duplicate" || again.Body["event_id"] != first.Body["event_id"] {
			t.Errorf("%s/%s redelivered: %d %v", s.vendor, s.route, again.Status, again.Body)
		}
		for _, field := range []string{"event_id", "idempotency_key", "channel", "correlation_id"} {
			if first.Body[field] == nil {
				t.Errorf("%s/%s: answer lacks %s: %v", s.vendor, s.route, field, first.Body)
			}
		}
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events"); n != len(samples) {
		t.Errorf("%d events stored for %d distinct deliveries", n, len(samples))
	}
}

func TestGenericRouteFollowsTheVendorsOwnTopic(t *testing.T) {
	db, d, tn := webhookFixture(t)
	topicHeader := map[string]string{"shopify": "X-Shopify-Topic", "woocommerce": "X-WC-Webhook-Topic"}
	for i, s := range samples {
		extra := map[string]string{}
		if h, ok := topicHeader[s.vendor]; ok {
			extra[h] = s.topic
		}
		a := tn.deliver(t, d, s.vendor, "", []byte(s.body(2000+i)), extra)
		if a.Status != 200 || a.Body["status"] != "accepted" {
			t.Errorf("generic %s (%s): %d %v", s.vendor, s.topic, a.Status, a.Body)
		}
	}
	var topics []string
	db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT array_agg(DISTINCT topic ORDER BY topic) FROM skeldir.attribution_events").Scan(&topics)
	if len(topics) != 15 { // 16 paths, two of them for one Stripe topic
		t.Errorf("topics recorded: %v", topics)
	}
	a := tn.deliver(t, d, "shopify", "", []byte(`{"id": 1}`), map[string]string{"X-Shopify-Topic": "orders/delete"})
	if a.Status != 200 || a.Body["status"] != "dlq_routed" || a.Body["error_type"] != "unsupported_topic" {
		t.Errorf("unsupported topic: %d %v", a.Status, a.Body)
	}
}

func TestUnknownWebhookPathsAre404(t *testing.T) {
	_, d, tn := webhookFixture(t)
	for _, path := range []string{"shopify/orders/delete", "square/payment", "stripe/charge/succeeded/extra",
		"shopify/orders%ff%fe", "%c3%28/x"} {
		vendor, route, _ := strings.Cut(path, "/")
		resp, body := d.Do(t, "POST", "/api/webhooks/"+vendor+"/"+route, []byte(`{}`), map[string]string{"X-Skeldir-Tenant-Key": tn.Key})
		if resp.StatusCode != 404 || !strings.Contains(string(body), "urn:skeldir:problem:not_found") {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

func TestBadCredentialsAreRefusedAndNothingIsStored(t *testing.T) {
	db, d, tn := webhookFixture(t)
	signatureHeader := map[string]string{"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature",
		"stripe": "Stripe-Signature", "paypal": "Paypal-Transmission-Sig"}

	for i, s := range samples {
		body := []byte(s.body(3000 + i))
		wrongSecret := signing.Headers(s.vendor, "whsec_not_the_tenants_secret_at_all", body, time.Now())
		tampered := append([]byte{}, body...)
		tampered[len(tampered)-2] = ' '
		cases := map[string]struct {
			body  []byte
			extra map[string]string
			want  string
		}{
			"wrong secret":      {body, wrongSecret, "invalid_signature"},
			"missing signature": {body, map[string]string{signatureHeader[s.vendor]: ""}, "invalid_signature"},
			"tampered body":     {tampered, signing.Headers(s.vendor, tn.Secrets[s.vendor], body, time.Now()), "invalid_signature"},
			"missing key":       {body, map[string]string{"X-Skeldir-Tenant-Key": ""}, "invalid_tenant_key"},
			"unknown key":       {body, map[string]string{"X-Skeldir-Tenant-Key": "skd_" + strings.Repeat("0", 48)}, "invalid_tenant_key"},
			"garbled key": {body, map[string]string{"X-Skeldir-Tenant-Key": "skd_\xff\xfe", "X-Idempotency-Key": "\xc3\x28",
				"Paypal-Auth-Algo": "SHA256withRSA"}, "invalid_tenant_key"},
		}
		if s.vendor == "stripe" {
			cases["timestamp 301 s old"] = struct {
				body  []byte
				extra map[string]string
				want  string
			}{body, signing.Headers("stripe", tn.Secrets["stripe"], body, time.Now().Add(-301*time.Second)), "invalid_signature"}
		}
		for name, c := range cases {
			a := tn.deliver(t, d, s.vendor, s.route, c.body, c.extra)
			if a.Status != 401 || a.Body["type"] != "urn:skeldir:problem:"+c.want || a.Body["correlation_id"] == nil {
				t.Errorf("%s/%s, %s: %d %v", s.vendor, s.route, name, a.Status, a.Body)
			}
		}
	}
	if n := count(t, db, "SELECT (SELECT count(*) FROM skeldir.attribution_events) + (SELECT count(*) FROM skeldir.dead_events)"); n != 0 {
		t.Errorf("%d rows stored from refused deliveries", n)
	}
}

func TestStripeAcceptsAnyV1SignatureWithinFiveMinutes(t *testing.T) {
	_, d, tn := webhookFixture(t)
	body := []byte(samples[4].body(1))
	good := signing.Headers("stripe", tn.Secrets["stripe"], body, time.Now().Add(-290*time.Second))["Stripe-Signature"]
	ts, v1, _ := strings.Cut(good, ",")
	header := ts + ",v1=" + strings.Repeat("ab", 32) + "," + v1 + ",v0=" + strings.Repeat("cd", 32)
	if a := tn.deliver(t, d, "stripe", "charge/succeeded", body, map[string]string{"Stripe-Signature": header}); a.Status != 200 {
		t.Errorf("a matching second v1 at 290 s was refused: %d %v", a.Status, a.Body)
	}
}

func TestSecretRotationAcceptsOldAndNewSecrets(t *testing.T) {
	db, d, tn := webhookFixture(t)
	admin := db.Pool(t, testdb.Admin)
	// One contract path per vendor: samples 0, 4, 8 and 11.
	for n, s := range []sample{samples[0], samples[4], samples[8], samples[11]} {
		old := tn.Secrets[s.vendor]
		var rotated struct{ Secret string }
		admin.QueryRow(context.Background(), "SELECT admin.rotate_webhook_secret($1, $2)", tn.ID, s.vendor).Scan(&rotated)

		for i, secret := range []string{old, rotated.Secret} {
			body := []byte(s.body(4000 + 10*n + i))
			a := tn.deliver(t, d, s.vendor, s.route, body, signing.Headers(s.vendor, secret, body, time.Now()))
			if a.Status != 200 || a.Body["status"] != "accepted" {
				t.Errorf("%s, secret %d of 2: %d %v", s.vendor, i+1, a.Status, a.Body)
			}
		}
		// The next rotation retires the oldest.
		admin.Exec(context.Background(), "SELECT admin.rotate_webhook_secret($1, $2)", tn.ID, s.vendor)
		body := []byte(s.body(4100 + n))
		if a := tn.deliver(t, d, s.vendor, s.route, body, signing.Headers(s.vendor, old, body, time.Now())); a.Status != 401 {
			t.Errorf("%s: a retired secret was accepted: %d %v", s.vendor, a.Status, a.Body)
		}
	}
}

func TestConcurrentDeliveriesOfOneEventStoreOneRow(t *testing.T) {
	db, d, tn := webhookFixture(t)
	body := []byte(samples[0].body(5000))

	const n = 200
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = tn.deliver(t, d, "shopify", "order_create", body, nil)
		}()
	}
	wg.Wait()
	tally := map[string]int{}
	for _, a := range answers {
		tally[fmt.Sprintf("%d %v", a.Status, a.Body["status"])]++
		if a.Body["event_id"] != answers[0].Body["event_id"] {
			t.Errorf("answers name different events: %v vs %v", a.Body["event_id"], answers[0].Body["event_id"])
		}
	}
	if tally["200 accepted"] != 1 || tally["200 duplicate"] != n-1 {
		t.Errorf("answers: %v", tally)
	}
	if e, l := count(t, db, "SELECT count(*) FROM skeldir.attribution_events"),
		count(t, db, "SELECT count(*) FROM skeldir.revenue_ledger"); e != 1 || l != 1 {
		t.Errorf("%d events and %d ledger rows, want 1 and 1", e, l)
	}
}

func TestTheSameKeyUnderTwoTenantsIsTwoEvents(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	d := startAPI(t, db)
	a, b := createTenant(t, db, "A"), createTenant(t, db, "B")
	body := []byte(samples[0].body(6000))
	ra := a.deliver(t, d, "shopify", "order_create", body, nil)
	rb := b.deliver(t, d, "shopify", "order_create", body, nil)
	if ra.Body["status"] != "accepted" || rb.Body["status"] != "accepted" ||
		ra.Body["idempotency_key"] != rb.Body["idempotency_key"] || ra.Body["event_id"] == rb.Body["event_id"] {
		t.Errorf("tenant A: %v\ntenant B: %v", ra.Body, rb.Body)
	}
	if n := count(t, db, "SELECT count(DISTINCT tenant_id) FROM skeldir.attribution_events"); n != 2 {
		t.Errorf("events under %d tenants, want 2", n)
	}
}

// Without a delivery id from the vendor (no X-Shopify-Webhook-Id, no event
// id in a Stripe body) nor X-Idempotency-Key, the key is the seed's: SPEC
// §4.3's two vectors.
func TestIdempotencyKeysFollowTheSeedsDerivation(t *testing.T) {
	_, d, tn := webhookFixture(t)
	shop := tn.deliver(t, d, "shopify", "order_create", []byte(`{"id": 123, "total_price": "1.00", "currency": "USD"}`), nil)
	pi := `{"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_123", "amount": 100, "currency": "usd"}}}`
	legacy := tn.deliver(t, d, "stripe", "payment_intent_succeeded", []byte(pi), nil)
	current := tn.deliver(t, d, "stripe", "payment_intent/succeeded", []byte(pi), nil)
	if shop.Body["idempotency_key"] != "d3cd43c3-8cbe-51bd-9458-63dcf189f01f" {
		t.Errorf("Shopify order 123: %v", shop.Body)
	}
	if legacy.Body["idempotency_key"] != "c9c2e61a-7281-5860-acac-18db80c6592e" || current.Body["status"] != "duplicate" {
		t.Errorf("Stripe pi_123: legacy %v, current %v", legacy.Body, current.Body)
	}
	sent := tn.deliver(t, d, "shopify", "order_create", []byte(`{"id": 124, "total_price": "1.00", "currency": "USD"}`),
		map[string]string{"X-Idempotency-Key": "order-124-attempt"})
	if sent.Body["idempotency_key"] != "order-124-attempt" {
		t.Errorf("X-Idempotency-Key not used: %v", sent.Body)
	}
}
