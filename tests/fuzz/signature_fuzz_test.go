package fuzz

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdb"
)

// A delivery altered after signing never verifies: whichever body, vendor
// and byte, a body changed in one byte, or signed with another tenant's
// secret, is refused with 401 invalid_signature, and the tenant's events
// and dead letters do not grow. (Signatures are verified in SQL; this is
// the fuzz target's oracle, not a crash check.) `go test -fuzz=FuzzTampered
// ./tests/fuzz` looks for more.
func FuzzTamperedDeliveriesNeverVerify(f *testing.F) {
	f.Add(uint8(0), uint16(0), uint8(1), []byte(`{"id": 1, "total_price": "129.99", "currency": "USD"}`))
	f.Add(uint8(3), uint16(40), uint8(0x20), []byte(`{"type": "charge.succeeded", "data": {"object": {"id": "ch_1", "amount": 100, "currency": "usd"}}}`))
	f.Add(uint8(6), uint16(7), uint8(0x80), []byte(`{"event_type": "PAYMENT.SALE.COMPLETED", "resource": {"id": "S1", "amount": {"total": "1.00", "currency": "USD"}}}`))
	f.Add(uint8(9), uint16(3), uint8(0xff), []byte(`{"id": 6, "status": "processing", "total": "10.00", "currency": "USD"}`))
	f.Add(uint8(1), uint16(65535), uint8(0), []byte(``))
	f.Add(uint8(16), uint16(2), uint8(7), []byte(`{"id": 2}`)) // another tenant's secret

	db := testdb.New(f)
	api, su := db.Pool(f, testdb.API), db.Pool(f, testdb.Superuser)
	type tenant struct {
		ID      string            `json:"tenant_id"`
		Key     string            `json:"api_key"`
		Secrets map[string]string `json:"webhook_secrets"`
	}
	var mine, other tenant
	for _, tn := range []*tenant{&mine, &other} {
		if err := db.Pool(f, testdb.Admin).QueryRow(context.Background(),
			"SELECT admin.create_tenant('fuzz')").Scan(tn); err != nil {
			f.Fatal(err)
		}
	}
	stored := func(t *testing.T) (n int) {
		if err := su.QueryRow(context.Background(), `
			SELECT (SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1)
			     + (SELECT count(*) FROM skeldir.dead_events WHERE tenant_id = $1)`, mine.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	f.Fuzz(func(t *testing.T, which uint8, at uint16, flip uint8, body []byte) {
		r := routes[int(which)%len(routes)]
		secret := mine.Secrets[r.vendor]
		sent := append([]byte(nil), body...)
		if int(which)/len(routes)%2 == 1 {
			secret = other.Secrets[r.vendor] // signed, but not by this tenant's secret
		} else {
			// One byte changed after signing (appended when the body is empty).
			if len(sent) == 0 {
				sent = append(sent, 0)
			}
			sent[int(at)%len(sent)] ^= flip | 1
		}
		headers := signing.Headers(r.vendor, secret, body, time.Now())
		lower := map[string]string{"x-skeldir-tenant-key": mine.Key}
		for k, v := range headers {
			lower[strings.ToLower(k)] = v
		}
		headerJSON, _ := json.Marshal(lower)
		before := stored(t)
		var status int
		var outcome string
		if err := api.QueryRow(context.Background(),
			"SELECT http_status, outcome FROM api.ingest_webhook($1, $2, $3, $4, gen_random_uuid())",
			r.vendor, r.route, headerJSON, sent).Scan(&status, &outcome); err != nil {
			t.Fatalf("%s/%s: the database failed on %q: %v", r.vendor, r.route, sent, err)
		}
		if status != 401 || outcome != "invalid_signature" {
			t.Fatalf("%s/%s: a tampered delivery %q was answered %d %s", r.vendor, r.route, sent, status, outcome)
		}
		if after := stored(t); after != before {
			t.Fatalf("%s/%s: a tampered delivery stored %d row(s)", r.vendor, r.route, after-before)
		}
	})
}
