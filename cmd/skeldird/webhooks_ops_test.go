package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/paypaltest"
)

func TestPayPalCertificateModeVerifiesRSAAgainstThePinnedCertificate(t *testing.T) {
	db, d, tn := webhookFixture(t)

	paypal := paypaltest.New(t)
	certFile := filepath.Join(t.TempDir(), "paypal.pem")
	os.WriteFile(certFile, []byte(paypal.CertificatePEM), 0o600)
	if out, errOut, code := cli(t, db, "tenant", "pin-paypal", "--tenant", tn.ID, "--webhook-id", "WH-PINNED", "--cert", certFile); code != 0 {
		t.Fatalf("pin-paypal: %s %s", out, errOut)
	}

	body := []byte(samples[8].body(1))
	signed := func(webhookID string, b []byte) map[string]string {
		tr := paypal.Sign(t, webhookID, paypaltest.Transmission{ID: "b2384410-f8d2", Time: "2026-11-26T00:00:00Z"}, b)
		return map[string]string{"Paypal-Transmission-Id": tr.ID, "Paypal-Transmission-Time": tr.Time,
			"Paypal-Transmission-Sig": tr.Sig, "Paypal-Auth-Algo": "SHA256withRSA",
			"Paypal-Cert-Url": "https://attacker.example/cert.pem"}
	}
	if a := tn.deliver(t, d, "paypal", "sale_completed", body, signed("WH-PINNED", body)); a.Status != 200 || a.Body["status"] != "accepted" {
		t.Errorf("a genuine RSA signature: %d %v", a.Status, a.Body)
	}
	// A stock PayPal webhook posts to the tenant's URL: the certificate is
	// the one of the tenant its token names.
	byURL := []byte(samples[8].body(3))
	if a := tn.deliverToURL(t, d, "paypal", "sale_completed", byURL, signed("WH-PINNED", byURL)); a.Status != 200 || a.Body["status"] != "accepted" {
		t.Errorf("a genuine RSA signature to the tenant URL: %d %v", a.Status, a.Body)
	}
	if a := tn.deliver(t, d, "paypal", "sale_completed", body, signed("WH-OTHER", body)); a.Status != 401 {
		t.Errorf("a signature for another webhook id: %d %v", a.Status, a.Body)
	}
	other := []byte(samples[8].body(2))
	if a := tn.deliver(t, d, "paypal", "sale_completed", other, nil); a.Status != 401 {
		t.Errorf("the HMAC mode still works for a tenant with a pinned certificate: %d %v", a.Status, a.Body)
	}
	cli(t, db, "tenant", "pin-paypal", "--tenant", tn.ID, "--unpin")
	if a := tn.deliver(t, d, "paypal", "sale_completed", other, nil); a.Status != 200 {
		t.Errorf("HMAC after unpinning: %d %v", a.Status, a.Body)
	}
}

func TestDeadEventsReplayOnceFixed(t *testing.T) {
	db, d, tn := webhookFixture(t)
	// A currency Skeldir does not know yet, and a body that is not JSON.
	a := tn.deliver(t, d, "shopify", "order_create", []byte(`{"id": 9001, "total_price": "10.00", "currency": "XTS"}`), nil)
	tn.deliver(t, d, "shopify", "order_create", []byte(`not json`), nil)
	deadID := a.Body["dead_event_id"].(string)

	out, _, code := cli(t, db, "dlq", "list", "--tenant", tn.ID, "--json")
	var listed []map[string]any
	json.Unmarshal([]byte(out), &listed)
	if code != 0 || len(listed) != 2 {
		t.Fatalf("dlq list: exit %d, %s", code, out)
	}

	// Replaying before the fix fails again and backs off.
	out, _, code = cli(t, db, "dlq", "replay", "--tenant", tn.ID, "--id", deadID)
	if code != 1 || !strings.Contains(out, "failed") {
		t.Errorf("replay before the fix: exit %d\n%s", code, out)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dead_events WHERE id = $1 AND retry_count = 1 AND next_retry_at > now()", deadID); n != 1 {
		t.Error("a failed replay did not count a retry with backoff")
	}

	// The fix: Skeldir learns the currency. Replay resolves, exactly once.
	db.Exec(t, "INSERT INTO skeldir.currencies VALUES ('XTS', 2)")
	for i := 0; i < 2; i++ {
		cli(t, db, "dlq", "replay", "--tenant", tn.ID, "--id", deadID)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events WHERE external_id = '9001'"); n != 1 {
		t.Errorf("%d events after two replays, want 1", n)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.dead_events WHERE id = $1 AND status = 'resolved' AND resolved_event_id IS NOT NULL", deadID); n != 1 {
		t.Error("the replayed dead event is not resolved")
	}
	// Replay-all abandons what cannot be replayed: the body was never kept.
	cli(t, db, "dlq", "replay", "--tenant", tn.ID, "--all")
	if n := count(t, db, "SELECT count(*) FROM skeldir.dead_events WHERE status = 'abandoned' AND payload IS NULL"); n != 1 {
		t.Error("the non-JSON dead event was not abandoned")
	}
	// A delivery of the once-dead body now is a duplicate, not a new event.
	if a := tn.deliver(t, d, "shopify", "order_create", []byte(`{"id": 9001, "total_price": "10.00", "currency": "XTS"}`), nil); a.Body["status"] != "duplicate" {
		t.Errorf("redelivery after replay: %v", a.Body)
	}
}

func TestWebhookOutcomesAreCountedByVendor(t *testing.T) {
	_, d, tn := webhookFixture(t)
	body := []byte(samples[4].body(1))
	tn.deliver(t, d, "stripe", "charge/succeeded", body, nil)
	tn.deliver(t, d, "stripe", "charge/succeeded", body, nil)
	tn.deliver(t, d, "stripe", "charge/succeeded", body, map[string]string{"Stripe-Signature": "t=1,v1=00"})
	_, metrics := d.Do(t, "GET", "/metrics", nil, nil)
	for _, want := range []string{
		`skeldir_webhook_deliveries_total{outcome="accepted",vendor="stripe"} 1`,
		`skeldir_webhook_deliveries_total{outcome="duplicate",vendor="stripe"} 1`,
		`skeldir_webhook_deliveries_total{outcome="invalid_signature",vendor="stripe"} 1`,
		`skeldir_webhook_deliveries_total{outcome="accepted",vendor="paypal"} 0`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
