package main_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/testdb"
)

func TestUnusablePayloadsAreDeadLetteredNever500(t *testing.T) {
	db, d, tn := webhookFixture(t)
	cases := []struct {
		name, errorType string
		body            []byte
	}{
		{"malformed JSON", "malformed_json", []byte(`{"id": 1, "total_price": `)},
		{"invalid UTF-8", "invalid_utf8", []byte("{\"id\": 1, \"note\": \"\xff\xfe\"}")},
		{"not an object", "invalid_shape", []byte(`[1, 2, 3]`)},
		{"missing id", "missing_field", []byte(`{"total_price": "1.00", "currency": "USD"}`)},
		{"negative amount", "invalid_amount", []byte(`{"id": 2, "total_price": "-5.00", "currency": "USD"}`)},
		{"sub-cent amount", "invalid_amount", []byte(`{"id": 3, "total_price": "5.001", "currency": "USD"}`)},
		{"unknown currency", "invalid_currency", []byte(`{"id": 4, "total_price": "5.00", "currency": "ZZZ"}`)},
		{"amount not a number", "invalid_amount", []byte(`{"id": 5, "total_price": "five", "currency": "USD"}`)},
		{"bad timestamp", "invalid_timestamp", []byte(`{"id": 6, "total_price": "5.00", "currency": "USD", "created_at": "2026-13-45T99:00:00Z"}`)},
		{"NUL escape", "malformed_json", []byte(`{"id": 7, "total_price": "5.00", "currency": "USD", "x": "\u0000"}`)},
		{"absurd nesting", "", []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))},
		{"huge number", "", []byte(`{"id": 8, "total_price": 1e999999, "currency": "USD"}`)},
		{"overlong id", "invalid_field", []byte(fmt.Sprintf(`{"id": "%s", "total_price": "1.00", "currency": "USD"}`, strings.Repeat("9", 3000)))},
		{"empty body", "malformed_json", []byte{}},
	}
	for _, c := range cases {
		for attempt := 1; attempt <= 2; attempt++ {
			a := tn.deliver(t, d, "shopify", "order_create", c.body, nil)
			if a.Status != 200 || a.Body["status"] != "dlq_routed" || a.Body["dead_event_id"] == nil || a.Body["success"] != true {
				t.Errorf("%s, delivery %d: %d %v", c.name, attempt, a.Status, a.Body)
				continue
			}
			if c.errorType != "" && a.Body["error_type"] != c.errorType {
				t.Errorf("%s: error_type %v, want %s (%v)", c.name, a.Body["error_type"], c.errorType, a.Body["message"])
			}
		}
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dead_events WHERE occurrences = 2"); n != len(cases) {
		t.Errorf("%d dead events counted twice, want %d (one per distinct body)", n, len(cases))
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events"); n != 0 {
		t.Errorf("%d events stored from unusable payloads", n)
	}
}

func TestAmountsBecomeExactMinorUnits(t *testing.T) {
	db, d, tn := webhookFixture(t)
	for body, want := range map[string]int{
		`{"id": 11, "total_price": "1500", "currency": "JPY"}`:   1500,
		`{"id": 12, "total_price": "129.99", "currency": "USD"}`: 12999,
		`{"id": 13, "total_price": "7.250", "currency": "KWD"}`:  7250,
		`{"id": 14, "total_price": 42.5, "currency": "EUR"}`:     4250,
	} {
		a := tn.deliver(t, d, "shopify", "order_create", []byte(body), nil)
		got := count(t, db, "SELECT revenue_cents FROM skeldir.attribution_events WHERE id = $1", a.Body["event_id"])
		if got != want {
			t.Errorf("%s: %d minor units, want %d", body, got, want)
		}
	}
}

// A Stripe PaymentIntent shaped like the real thing: personal data in
// receipt_email, the charges' billing_details and shipping.
const realPaymentIntent = `{
  "id": "evt_3PpIi2", "object": "event", "api_version": "2024-06-20", "created": 1732631500,
  "type": "payment_intent.succeeded", "livemode": false, "pending_webhooks": 1,
  "data": {"object": {
    "id": "pi_3PpIi2", "object": "payment_intent", "amount": 4999, "amount_received": 4999,
    "currency": "usd", "status": "succeeded", "receipt_email": "jenny.rosen@example.com",
    "customer": "cus_QgF3", "description": "Order #1042", "created": 1732631490,
    "metadata": {"order_id": "1042", "skeldir_session_id": "sess_77", "utm_source": "google", "utm_medium": "cpc"},
    "shipping": {"name": "Jenny Rosen", "phone": "+15555550100",
                 "address": {"line1": "510 Townsend St", "city": "San Francisco", "postal_code": "94103", "country": "US"}},
    "latest_charge": {"id": "ch_3PpIi2", "object": "charge", "amount": 4999,
      "billing_details": {"name": "Jenny Rosen", "email": "jenny.rosen@example.com", "phone": "+15555550100",
                          "address": {"line1": "510 Townsend St", "city": "San Francisco"}},
      "payment_method_details": {"card": {"brand": "visa", "last4": "4242", "Email_Address": "jr@example.com"}},
      "Customer_Phone": "+15555550100", "IP_Address": "203.0.113.9"}
  }}
}`

func TestNoPersonalDataIsStoredAnywhere(t *testing.T) {
	db, d, tn := webhookFixture(t)
	a := tn.deliver(t, d, "stripe", "payment_intent/succeeded", []byte(realPaymentIntent), nil)
	if a.Status != 200 || a.Body["status"] != "accepted" || a.Body["channel"] != "google_search_paid" {
		t.Fatalf("real PaymentIntent: %d %v", a.Status, a.Body)
	}
	// The same document, unusable, goes to the dead-letter queue: also stripped.
	bad := strings.Replace(realPaymentIntent, `"currency": "usd"`, `"currency": "zzz"`, 1)
	if a := tn.deliver(t, d, "stripe", "payment_intent/succeeded", []byte(bad), nil); a.Body["status"] != "dlq_routed" {
		t.Fatalf("unusable PaymentIntent: %v", a.Body)
	}

	// Every jsonb column of every table in every application schema, any
	// depth, any case, all 18 keys.
	keys := []string{"email", "email_address", "phone", "phone_number", "ssn", "social_security_number", "ip",
		"ip_address", "first_name", "last_name", "full_name", "address", "street_address", "billing_address",
		"shipping_address", "customer_email", "customer_phone", "receipt_email"}
	path := `strict $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "^(` + strings.Join(keys, "|") + `)$" flag "i")`
	scans := everyColumn(t, db, []string{"jsonb", "json"},
		fmt.Sprintf("jsonb_path_exists(%%I::jsonb, '%s')", strings.ReplaceAll(path, "'", "''")))
	if len(scans) < 2 {
		t.Fatalf("the scan found only %d JSON columns", len(scans))
	}
	for _, q := range scans {
		if n := count(t, db, q); n != 0 {
			t.Errorf("personal data at rest: %s → %d rows", q, n)
		}
	}
	su := db.Pool(t, testdb.Superuser)
	var removed []string
	su.QueryRow(context.Background(), "SELECT pii_paths FROM skeldir.attribution_events").Scan(&removed)
	if len(removed) < 5 {
		t.Errorf("removed paths not recorded: %v", removed)
	}
	var scan int
	db.Pool(t, testdb.Admin).QueryRow(context.Background(),
		"SELECT coalesce(sum(rows_with_pii), 0) FROM admin.scan_pii($1)", tn.ID).Scan(&scan)
	if scan != 0 {
		t.Errorf("admin.scan_pii reports %d rows", scan)
	}
}

// everyColumn is one count query per column of the given types in every
// table of every application schema: "SELECT count(*) FROM <table> WHERE
// <where>", with %I in where standing for the column.
func everyColumn(t *testing.T, db *testdb.DB, types []string, where string) []string {
	t.Helper()
	rows, err := db.Pool(t, testdb.Superuser).Query(context.Background(), `
		SELECT format('SELECT count(*) FROM %s WHERE ' || $2, a.attrelid::regclass, a.attname)
		  FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
		  JOIN pg_namespace AS n ON n.oid = c.relnamespace
		 WHERE a.atttypid = ANY ($1::regtype[]) AND a.attnum > 0 AND NOT a.attisdropped
		   AND c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'`, types, where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var scans []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		scans = append(scans, q)
	}
	return scans
}

func TestRevenueIsBookedOncePerOrderAndState(t *testing.T) {
	db, d, tn := webhookFixture(t)
	flows := []struct {
		name, order string
		steps       [][2]string // route, body
	}{
		{"shopify", "7001", [][2]string{
			{"order_create", `{"id": 7001, "total_price": "100.00", "currency": "USD", "note_attributes": [{"name": "utm_source", "value": "google"}, {"name": "utm_medium", "value": "cpc"}]}`},
			{"orders/paid", `{"id": 7001, "total_price": "100.00", "currency": "USD", "financial_status": "paid"}`},
			{"refunds/create", `{"id": 8001, "order_id": 7001, "transactions": [{"amount": "30.00", "kind": "refund", "currency": "USD"}]}`},
		}},
		{"woocommerce", "7002", [][2]string{
			{"order/created", `{"id": 7002, "status": "processing", "total": "100.00", "currency": "USD"}`},
			{"order_completed", `{"id": 7002, "status": "completed", "total": "100.00", "currency": "USD"}`},
			{"order/updated", `{"id": 7002, "status": "completed", "total": "100.00", "currency": "USD", "date_modified": "2026-11-21T00:00:00"}`},
			{"order/refunded", `{"id": 7002, "status": "refunded", "total": "100.00", "currency": "USD", "refunds": [{"id": 1, "total": "-30.00"}]}`},
		}},
		{"stripe", "ord_7003", [][2]string{
			{"charge/succeeded", `{"id": "evt_a", "type": "charge.succeeded", "data": {"object": {"id": "ch_7003", "object": "charge", "amount": 10000, "currency": "usd", "payment_intent": "pi_7003", "metadata": {"order_id": "ord_7003"}}}}`},
			{"payment_intent/succeeded", `{"id": "evt_b", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_7003", "object": "payment_intent", "amount": 10000, "currency": "usd", "metadata": {"order_id": "ord_7003"}}}}`},
			{"charge/refunded", `{"id": "evt_c", "type": "charge.refunded", "data": {"object": {"id": "ch_7003", "object": "charge", "amount": 10000, "amount_refunded": 3000, "currency": "usd", "payment_intent": "pi_7003", "metadata": {"order_id": "ord_7003"}}}}`},
		}},
	}
	for _, f := range flows {
		for _, step := range f.steps {
			if a := tn.deliver(t, d, f.name, step[0], []byte(step[1]), nil); a.Body["status"] != "accepted" {
				t.Fatalf("%s %s: %v", f.name, step[0], a.Body)
			}
		}
		captured := count(t, db, "SELECT count(*) FROM skeldir.revenue_ledger WHERE order_id = $1 AND state = 'captured'", f.order)
		refunded := count(t, db, "SELECT count(*) FROM skeldir.revenue_ledger WHERE order_id = $1 AND state = 'refunded'", f.order)
		net := count(t, db, `SELECT sum(CASE state WHEN 'captured' THEN amount_cents ELSE -amount_cents END)
		                       FROM skeldir.revenue_ledger WHERE order_id = $1`, f.order)
		if captured != 1 || refunded != 1 || net != 7000 {
			t.Errorf("%s order %s: %d captured, %d refunded, net %d; want 1, 1, 7000", f.name, f.order, captured, refunded, net)
		}
	}
	// A refund without attribution of its own takes its order's channel.
	var channel string
	db.Pool(t, testdb.Superuser).QueryRow(context.Background(),
		"SELECT channel FROM skeldir.attribution_events WHERE topic = 'refunds/create'").Scan(&channel)
	if channel != "google_search_paid" {
		t.Errorf("Shopify refund channel %q, want its order's google_search_paid", channel)
	}
}
