package main_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

// Money is booked once per money movement, from the vendors' own objects:
// whole bodies shaped like the vendors' samples (testdata/vendors), posted to
// the tenant's URLs as the stores post them.

// vendorBody is a body from testdata/vendors, e.g. "stripe/charge_refunded_1.json".
func vendorBody(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vendors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// send posts a vendor body to tn's URL at route and wants a 200 with status.
func (tn tenant) send(t *testing.T, d *testdaemon.Daemon, name, route, status string, extra map[string]string) answer {
	t.Helper()
	vendor := filepath.Dir(name)
	a := tn.deliverToURL(t, d, vendor, route, vendorBody(t, name), extra)
	if a.Status != 200 || a.Body["status"] != status {
		t.Fatalf("%s to %s: %d %v, want 200 %s", name, route, a.Status, a.Body, status)
	}
	return a
}

// booked is the tenant's ledger total in minor units for state, over the
// rows of order orderID.
func booked(t *testing.T, db *testdb.DB, tn tenant, state, orderID string) int {
	t.Helper()
	return count(t, db, `SELECT coalesce(sum(amount_cents), 0) FROM skeldir.revenue_ledger
	                      WHERE tenant_id = $1 AND state = $2::skeldir.ledger_state AND order_id = $3`, tn.ID, state, orderID)
}

func rows(t *testing.T, db *testdb.DB, tn tenant, state, orderID string) int {
	t.Helper()
	return count(t, db, `SELECT count(*) FROM skeldir.revenue_ledger
	                      WHERE tenant_id = $1 AND state = $2::skeldir.ledger_state AND order_id = $3`, tn.ID, state, orderID)
}

func TestStripePartialRefundsEachBookOnceInAnyOrder(t *testing.T) {
	db, d, first := webhookFixture(t)
	reversed := createTenant(t, db, "Reversed order")
	const order = "1001"

	first.send(t, d, "stripe/charge_succeeded.json", "charge/succeeded", "accepted", nil)
	first.send(t, d, "stripe/charge_refunded_1.json", "charge/refunded", "accepted", nil)
	if got := booked(t, db, first, "refunded", order); got != 2000 {
		t.Errorf("after the first refund: refunded %d, want 2000", got)
	}
	first.send(t, d, "stripe/charge_refunded_2.json", "charge/refunded", "accepted", nil)
	for _, again := range []string{"stripe/charge_succeeded.json", "stripe/charge_refunded_1.json", "stripe/charge_refunded_2.json"} {
		first.send(t, d, again, "", "duplicate", nil)
	}

	reversed.send(t, d, "stripe/charge_refunded_2.json", "charge/refunded", "accepted", nil)
	reversed.send(t, d, "stripe/charge_refunded_1.json", "charge/refunded", "accepted", nil)
	reversed.send(t, d, "stripe/charge_succeeded.json", "charge/succeeded", "accepted", nil)

	for _, tn := range []tenant{first, reversed} {
		if got, n := booked(t, db, tn, "refunded", order), rows(t, db, tn, "refunded", order); got != 5000 || n != 2 {
			t.Errorf("refunded %d in %d rows, want 5000 in 2 (one per refund)", got, n)
		}
		if got := booked(t, db, tn, "captured", order); got != 10000 {
			t.Errorf("captured %d, want 10000", got)
		}
	}
	// Each refund is dated by its own created time, not the charge's.
	if n := count(t, db, `SELECT count(*) FROM skeldir.revenue_ledger WHERE tenant_id = $1 AND state = 'refunded'
	                        AND transaction_id = 're_2AbcQ9LkdIwHu7ix0R2eF3gH' AND occurred_at = to_timestamp(1795439148)`, first.ID); n != 1 {
		t.Errorf("the second refund is not dated by its own created time")
	}
}

// Since API version 2022-11-15 a charge carries no refunds list: only the
// cumulative amount_refunded, whose growth is the refund.
func TestStripeCumulativeRefundedAmountsBookTheirDelta(t *testing.T) {
	db, d, tn := webhookFixture(t)
	other := createTenant(t, db, "Reversed order")
	const order = "1002"
	tn.send(t, d, "stripe/charge_succeeded_def.json", "charge/succeeded", "accepted", nil)
	tn.send(t, d, "stripe/charge_refunded_cumulative_1.json", "charge/refunded", "accepted", nil)
	tn.send(t, d, "stripe/charge_refunded_cumulative.json", "charge/refunded", "accepted", nil)
	tn.send(t, d, "stripe/charge_refunded_cumulative_1.json", "charge/refunded", "duplicate", nil)
	other.send(t, d, "stripe/charge_refunded_cumulative.json", "charge/refunded", "accepted", nil)
	other.send(t, d, "stripe/charge_refunded_cumulative_1.json", "charge/refunded", "accepted", nil)
	for _, x := range []tenant{tn, other} {
		if got := booked(t, db, x, "refunded", order); got != 5000 {
			t.Errorf("refunded %d, want 5000", got)
		}
	}
}

func TestWooCommerceOrderUpdatesApplyEachNewStateOnce(t *testing.T) {
	db, d, tn := webhookFixture(t)
	deliveries := []struct{ name, route, id string }{
		{"woocommerce/order_created_processing.json", "order/created", "d-1"},
		{"woocommerce/order_updated_completed.json", "order/updated", "d-2"},
		{"woocommerce/order_updated_refunded.json", "order/updated", "d-3"},
	}
	for _, x := range deliveries {
		tn.send(t, d, x.name, x.route, "accepted", map[string]string{"X-WC-Webhook-Delivery-ID": x.id})
	}
	for _, x := range deliveries { // WooCommerce retrying the same deliveries
		tn.send(t, d, x.name, x.route, "duplicate", map[string]string{"X-WC-Webhook-Delivery-ID": x.id})
	}
	for _, x := range deliveries { // and the same states under new delivery ids
		tn.send(t, d, x.name, x.route, "accepted", map[string]string{"X-WC-Webhook-Delivery-ID": x.id + "-again"})
	}
	if c, r := rows(t, db, tn, "captured", "7301"), rows(t, db, tn, "refunded", "7301"); c != 1 || r != 1 {
		t.Errorf("%d captured and %d refunded rows, want one each", c, r)
	}
	if c, r := booked(t, db, tn, "captured", "7301"), booked(t, db, tn, "refunded", "7301"); c != 5400 || r != 5400 {
		t.Errorf("captured %d, refunded %d, want 5400 each", c, r)
	}

	// A partial refund listed on a completed order, without delivery ids.
	tn.send(t, d, "woocommerce/order_created_7401.json", "order/created", "accepted", nil)
	tn.send(t, d, "woocommerce/order_updated_partial_refund.json", "order/updated", "accepted", nil)
	tn.send(t, d, "woocommerce/order_updated_partial_refund.json", "order/updated", "duplicate", nil)
	if c, r := booked(t, db, tn, "captured", "7401"), booked(t, db, tn, "refunded", "7401"); c != 8000 || r != 1500 {
		t.Errorf("order 7401: captured %d, refunded %d, want 8000 and 1500", c, r)
	}
}

func TestUnpaidOrdersBookNothingUntilTheirMoneyMoves(t *testing.T) {
	db, d, tn := webhookFixture(t)
	unpaid := []struct{ name, route, order string }{
		{"shopify/order_create_pending.json", "order_create", "5500000000002"},
		{"stripe/charge_uncaptured.json", "charge/succeeded", "1003"},
		{"woocommerce/order_created_failed.json", "order/created", "7501"},
		{"paypal/capture_pending.json", "payment/capture/pending", "INV-2002"},
	}
	for _, u := range unpaid {
		tn.send(t, d, u.name, u.route, "accepted", nil)
		if n := count(t, db, "SELECT count(*) FROM skeldir.revenue_ledger WHERE tenant_id = $1 AND order_id = $2", tn.ID, u.order); n != 0 {
			t.Errorf("%s booked %d ledger rows", u.name, n)
		}
		if n := count(t, db, `SELECT count(*) FROM skeldir.attribution_events
		                       WHERE tenant_id = $1 AND order_id = $2 AND event_type = 'order_update'`, tn.ID, u.order); n != 1 {
			t.Errorf("%s is not recorded as an order update", u.name)
		}
	}
	paid := []struct {
		name, route, order string
		cents              int
	}{
		{"shopify/order_paid_later.json", "orders/paid", "5500000000002", 6400},
		{"stripe/charge_captured.json", "charge/captured", "1003", 4500},
		{"woocommerce/order_updated_7501_completed.json", "order/updated", "7501", 3300},
		{"paypal/capture_completed_later.json", "payment/capture/completed", "INV-2002", 4200},
	}
	for _, p := range paid {
		tn.send(t, d, p.name, p.route, "accepted", nil)
		tn.send(t, d, p.name, p.route, "duplicate", nil)
		if got, n := booked(t, db, tn, "captured", p.order), rows(t, db, tn, "captured", p.order); got != p.cents || n != 1 {
			t.Errorf("%s: captured %d in %d rows, want %d once", p.name, got, n, p.cents)
		}
	}
	// Paid orders are purchases: their attribution is recomputed.
	if n := count(t, db, `SELECT count(DISTINCT order_id) FROM skeldir.attribution_events
	                       WHERE tenant_id = $1 AND event_type = 'purchase'`, tn.ID); n != 4 {
		t.Errorf("%d orders became purchases, want 4", n)
	}
}

func TestRefundsAreDatedByTheRefundAndReverseTheirPayment(t *testing.T) {
	db, d, tn := webhookFixture(t)
	tn.send(t, d, "shopify/order_paid.json", "orders/paid", "accepted", nil)
	tn.send(t, d, "shopify/refund_create.json", "refunds/create", "accepted", nil)
	tn.send(t, d, "paypal/capture_completed.json", "payment/capture/completed", "accepted", nil)
	tn.send(t, d, "paypal/capture_refunded.json", "", "accepted", nil)
	want := map[string]time.Time{
		"900000000001":      time.Date(2026, 11, 21, 16, 2, 17, 0, time.UTC),
		"5RS81229PV462810H": time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC),
	}
	for txn, at := range want {
		var got time.Time
		var reverses string
		if err := db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
			`SELECT occurred_at, reverses_transaction_id FROM skeldir.revenue_ledger
			  WHERE tenant_id = $1 AND transaction_id = $2 AND state = 'refunded'`, tn.ID, txn).Scan(&got, &reverses); err != nil {
			t.Fatalf("refund %s: %v", txn, err)
		}
		if !got.Equal(at) || reverses == "" {
			t.Errorf("refund %s dated %s reversing %q, want %s", txn, got.UTC(), reverses, at)
		}
	}
	if got := booked(t, db, tn, "refunded", "5500000000001"); got != 2000 {
		t.Errorf("Shopify refund %d, want 2000", got)
	}
	if got := booked(t, db, tn, "refunded", "INV-2001"); got != 2500 {
		t.Errorf("PayPal refund %d, want 2500", got)
	}
}

// The vendor says which delivery this is; X-Idempotency-Key and the seed's
// derivation come after it.
func TestTheVendorsDeliveryIDDecidesWhatIsADuplicate(t *testing.T) {
	db, d, tn := webhookFixture(t)
	a := tn.send(t, d, "stripe/charge_succeeded.json", "charge/succeeded", "accepted",
		map[string]string{"X-Idempotency-Key": "client-key-1"})
	if a.Body["idempotency_key"] != "stripe:evt_3AbcQ9LkdIwHu7ix0vQe7Jk1" {
		t.Errorf("Stripe key %v, want the event id", a.Body["idempotency_key"])
	}
	tn.send(t, d, "stripe/charge_succeeded.json", "charge/succeeded", "duplicate",
		map[string]string{"X-Idempotency-Key": "client-key-2"})

	shop := func(id string) map[string]string { return map[string]string{"X-Shopify-Webhook-Id": id} }
	tn.send(t, d, "shopify/order_paid.json", "orders/paid", "accepted", shop("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"))
	tn.send(t, d, "shopify/order_paid.json", "orders/paid", "duplicate", shop("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"))
	// Another delivery of the same order is another event, but not more money.
	tn.send(t, d, "shopify/order_paid.json", "orders/paid", "accepted", shop("0b4b8a8e-0000-4000-8000-000000000001"))
	if got, n := booked(t, db, tn, "captured", "5500000000001"), rows(t, db, tn, "captured", "5500000000001"); got != 11835 || n != 1 {
		t.Errorf("captured %d in %d rows, want 11835 once", got, n)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1 AND idempotency_key LIKE 'shopify:%'", tn.ID); n != 2 {
		t.Errorf("%d events keyed by Shopify's webhook id, want 2", n)
	}
}
