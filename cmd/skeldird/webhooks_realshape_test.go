package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdb"
)

// Every real-shaped body (testdata/vendors), as its store sends it: to the
// tenant's URL, no tenant header, signed with the tenant's secret.
var realShaped = []struct{ name, route string }{
	{"shopify/order_paid.json", "orders/paid"},
	{"shopify/order_create_pending.json", "order_create"},
	{"shopify/order_paid_later.json", "orders/paid"},
	{"shopify/refund_create.json", "refunds/create"},
	{"stripe/charge_succeeded.json", ""},
	{"stripe/charge_refunded_1.json", ""},
	{"stripe/charge_refunded_2.json", ""},
	{"stripe/charge_succeeded_def.json", ""},
	{"stripe/charge_refunded_cumulative_1.json", ""},
	{"stripe/charge_refunded_cumulative.json", ""},
	{"stripe/charge_uncaptured.json", ""},
	{"stripe/charge_captured.json", ""},
	{"paypal/capture_completed.json", ""},
	{"paypal/capture_pending.json", ""},
	{"paypal/capture_completed_later.json", ""},
	{"paypal/capture_refunded.json", ""},
	{"paypal/sale_completed.json", ""},
	{"woocommerce/order_created_processing.json", "order/created"},
	{"woocommerce/order_updated_completed.json", "order/updated"},
	{"woocommerce/order_updated_refunded.json", "order/updated"},
	{"woocommerce/order_created_7401.json", "order/created"},
	{"woocommerce/order_updated_partial_refund.json", "order/updated"},
	{"woocommerce/order_created_failed.json", "order/created"},
	{"woocommerce/order_updated_7501_completed.json", "order/updated"},
}

// asDelivered adds the delivery id header Shopify and WooCommerce send with
// every delivery (Stripe and PayPal name theirs in the body).
func asDelivered(name string) map[string]string {
	switch filepath.Dir(name) {
	case "shopify":
		return map[string]string{"X-Shopify-Webhook-Id": "delivery-" + name}
	case "woocommerce":
		return map[string]string{"X-WC-Webhook-Delivery-ID": "delivery-" + name}
	}
	return nil
}

func TestRealShapedBodiesAreAcceptedUnderTheTenantOfTheirURL(t *testing.T) {
	db, d, tn := webhookFixture(t)
	other := createTenant(t, db, "Other shop")
	for _, x := range realShaped {
		vendor, body := filepath.Dir(x.name), vendorBody(t, x.name)
		wrong := signing.Headers(vendor, other.Secrets[vendor], body, time.Now())
		if a := tn.deliverToURL(t, d, vendor, x.route, body, wrong); a.Status != 401 {
			t.Errorf("%s with another tenant's secret: %d %v", x.name, a.Status, a.Body)
		}
		if n := count(t, db, "SELECT (SELECT count(*) FROM skeldir.attribution_events) + (SELECT count(*) FROM skeldir.dead_events)"); n != 0 {
			t.Fatalf("%s: a 401 stored %d rows", x.name, n)
		}
	}
	for _, x := range realShaped {
		tn.send(t, d, x.name, x.route, "accepted", asDelivered(x.name))
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID); n != len(realShaped) {
		t.Errorf("%d events under the tenant, want %d", n, len(realShaped))
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dead_events"); n != 0 {
		t.Errorf("%d real-shaped deliveries were dead-lettered", n)
	}
}

// Acceptance: none of the personal values sent exists anywhere at rest,
// searched in every text and JSON column of every table, while what the
// product and analysts need remains.
func TestNoPersonalValueOfARealPayloadIsAtRest(t *testing.T) {
	db, d, tn := webhookFixture(t)
	for _, x := range realShaped {
		tn.send(t, d, x.name, x.route, "accepted", asDelivered(x.name))
	}
	// Unusable real bodies are dead-lettered: the same projection is stored.
	bad := strings.Replace(string(vendorBody(t, "shopify/order_paid.json")), `"currency": "USD"`, `"currency": "ZZZ"`, 1)
	if a := tn.deliverToURL(t, d, "shopify", "orders/paid", []byte(bad), nil); a.Body["status"] != "dlq_routed" {
		t.Fatalf("unusable order: %v", a.Body)
	}
	if a := tn.deliverToURL(t, d, "shopify", "orders/paid", vendorBody(t, "shopify/order_paid.json"),
		map[string]string{"X-Shopify-Webhook-Id": "marguerite.olawale@example.com"}); a.Body["status"] != "dlq_routed" {
		t.Fatalf("a personal delivery id: %v", a.Body)
	}

	raw, err := os.ReadFile(filepath.Join("testdata", "vendors", "personal_values.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var personal []string
	for _, v := range strings.Split(string(raw), "\n") {
		if v = strings.TrimSpace(v); v != "" {
			personal = append(personal, v)
		}
	}
	// Every text-like and JSON column of every table in every application
	// schema, as text: dashboard users' login emails are the one exemption,
	// and the fixture creates no users.
	scans := everyColumn(t, db, []string{"jsonb", "json", "text", "text[]", "varchar"}, "strpos(%I::text, $1) > 0")
	if len(scans) < 20 {
		t.Fatalf("the search found only %d columns", len(scans))
	}
	for _, q := range scans {
		for _, v := range personal {
			if n := count(t, db, q, v); n != 0 {
				t.Errorf("%q at rest: %s → %d rows", v, q, n)
			}
		}
	}

	kept := map[string]string{
		"order id":     `SELECT count(*) FROM skeldir.attribution_events WHERE order_id = '5500000000001' AND payload ->> 'total_price' = '118.35'`,
		"utm":          `SELECT count(*) FROM skeldir.attribution_events WHERE payload ->> 'landing_site' LIKE '%utm_source=facebook%' AND utm_source = 'facebook'`,
		"line item":    `SELECT count(*) FROM skeldir.attribution_events WHERE payload @> '{"line_items": [{"sku": "COF-ETH-12", "product_id": 8123456700022}]}'`,
		"discount":     `SELECT count(*) FROM skeldir.attribution_events WHERE payload @> '{"discount_codes": [{"code": "WELCOME10"}]}'`,
		"woo session":  `SELECT count(*) FROM skeldir.attribution_events WHERE session_id = 'sess-woo-0001'`,
		"stripe meta":  `SELECT count(*) FROM skeldir.attribution_events WHERE payload #>> '{data,object,metadata,utm_source}' = 'google'`,
		"paypal":       `SELECT count(*) FROM skeldir.attribution_events WHERE payload #>> '{resource,invoice_id}' = 'INV-2001'`,
		"dropped path": `SELECT count(*) FROM skeldir.attribution_events WHERE '$.customer' = ANY (pii_paths) AND '$.browser_ip' = ANY (pii_paths)`,
	}
	for what, q := range kept {
		if count(t, db, q) == 0 {
			t.Errorf("%s was not kept: %s", what, q)
		}
	}
	var scan int
	db.Pool(t, testdb.Admin).QueryRow(context.Background(),
		"SELECT coalesce(sum(rows_with_pii), 0) FROM admin.scan_pii($1)", tn.ID).Scan(&scan)
	if scan != 0 {
		t.Errorf("admin.scan_pii reports %d rows", scan)
	}
}
