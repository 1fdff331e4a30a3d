package main

import (
	"encoding/json"
	"testing"
	"time"
)

func TestOrderFromRenumbersTheWholeOrder(t *testing.T) {
	order, err := orderFrom("../skeldird/testdata/vendors/shopify/order_paid.json")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 18, 30, 0, 0, time.FixedZone("EST", -5*3600))
	var got map[string]any
	if err := json.Unmarshal(order(5500000000123, 7, at), &got); err != nil {
		t.Fatalf("the body is not JSON: %v", err)
	}
	if got["id"] != 5500000000123.0 || got["order_number"] != 1007.0 || got["name"] != "#1007" {
		t.Errorf("id, order_number, name = %v, %v, %v; want 5500000000123, 1007, #1007", got["id"], got["order_number"], got["name"])
	}
	for _, k := range []string{"created_at", "processed_at", "updated_at"} {
		if got[k] != "2026-12-03T23:30:00Z" {
			t.Errorf("%s = %v, want the delivery's time in UTC", k, got[k])
		}
	}
	// A visit of its own: the session attribution follows is the order's.
	sessions := 0
	for _, n := range got["note_attributes"].([]any) {
		if n := n.(map[string]any); n["name"] == "skeldir_session_id" {
			sessions++
			if n["value"] != "sess-5500000000123" {
				t.Errorf("skeldir_session_id = %v, want sess-5500000000123", n["value"])
			}
		}
	}
	if sessions != 1 {
		t.Errorf("%d skeldir_session_id note attributes, want 1", sessions)
	}
	// The rest is the store's order as it was: who bought, where, what.
	for _, k := range []string{"customer", "billing_address", "shipping_address", "line_items", "browser_ip", "note", "note_attributes"} {
		if got[k] == nil {
			t.Errorf("%s is missing from the copy", k)
		}
	}
}
