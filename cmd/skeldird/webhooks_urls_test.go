package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/signing"
	"github.com/skeldir/skeldir/internal/testdb"
)

// A stock store can only be given a URL: the token in it names the tenant.

func TestEveryContractPathWorksBelowATenantURLWithoutATenantHeader(t *testing.T) {
	db, d, tn := webhookFixture(t)
	for vendor, url := range tn.URLs {
		if !strings.HasPrefix(url, "/hooks/"+vendor+"/whk_") {
			t.Errorf("%s URL %q", vendor, url)
		}
	}
	for i, s := range samples {
		body := []byte(s.body(4000 + i))
		a := tn.deliverToURL(t, d, s.vendor, s.route, body, nil)
		if a.Status != 200 || a.Body["status"] != "accepted" {
			t.Errorf("%s %s/%s: %d %v", s.vendor, tn.URLs[s.vendor], s.route, a.Status, a.Body)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID); n != len(samples) {
		t.Errorf("%d events under the tenant, want %d", n, len(samples))
	}
}

func TestATenantURLAloneRoutesOnTheVendorsTopic(t *testing.T) {
	db, d, tn := webhookFixture(t)
	topicHeader := map[string]string{"shopify": "X-Shopify-Topic", "woocommerce": "X-WC-Webhook-Topic"}
	for i, s := range samples {
		var extra map[string]string
		if h, ok := topicHeader[s.vendor]; ok {
			extra = map[string]string{h: s.topic}
		}
		a := tn.deliverToURL(t, d, s.vendor, "", []byte(s.body(5000+i)), extra)
		if a.Status != 200 || a.Body["status"] != "accepted" {
			t.Errorf("%s %s by topic: %d %v", s.vendor, s.topic, a.Status, a.Body)
		}
	}
	if n := count(t, db, "SELECT count(DISTINCT topic) FROM skeldir.attribution_events WHERE tenant_id = $1", tn.ID); n != 15 {
		t.Errorf("%d distinct topics stored, want 15", n)
	}
}

func TestATenantURLStillNeedsTheVendorsSignature(t *testing.T) {
	db, d, a := webhookFixture(t)
	b := createTenant(t, db, "Other shop")
	signatureHeader := map[string]string{"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature",
		"stripe": "Stripe-Signature", "paypal": "Paypal-Transmission-Sig"}
	for i, s := range samples {
		body := []byte(s.body(6000 + i))
		cases := map[string]map[string]string{
			"no signature":           {signatureHeader[s.vendor]: ""},
			"a wrong secret":         signing.Headers(s.vendor, "whsec_not_the_tenants_secret_at_all", body, time.Now()),
			"the other tenant's key": signing.Headers(s.vendor, b.Secrets[s.vendor], body, time.Now()),
		}
		for name, extra := range cases {
			if r := a.deliverToURL(t, d, s.vendor, s.route, body, extra); r.Status != 401 ||
				r.Body["type"] != "urn:skeldir:problem:invalid_signature" {
				t.Errorf("%s/%s with %s: %d %v", s.vendor, s.route, name, r.Status, r.Body)
			}
		}
	}
	if n := count(t, db, "SELECT (SELECT count(*) FROM skeldir.attribution_events) + (SELECT count(*) FROM skeldir.dead_events)"); n != 0 {
		t.Errorf("%d rows stored from refused deliveries", n)
	}
}

func TestUnknownRevokedAndOtherVendorsTokensAre401(t *testing.T) {
	db, d, tn := webhookFixture(t)
	body := []byte(samples[0].body(7000))
	unknown := "/hooks/shopify/whk_" + strings.Repeat("0", 40)
	if r := tn.post(t, d, unknown, "shopify", "order_create", body, nil); r.Status != 401 ||
		r.Body["type"] != "urn:skeldir:problem:invalid_tenant_key" {
		t.Errorf("unknown token: %d %v", r.Status, r.Body)
	}
	stripeToken := tn.URLs["stripe"][strings.LastIndex(tn.URLs["stripe"], "/")+1:]
	if r := tn.post(t, d, "/hooks/shopify/"+stripeToken, "shopify", "order_create", body, nil); r.Status != 401 {
		t.Errorf("a Stripe token on the Shopify path: %d %v", r.Status, r.Body)
	}
	if r := tn.deliverToURL(t, d, "shopify", "orders/nope", body, nil); r.Status != 404 {
		t.Errorf("unknown route below a URL: %d %v", r.Status, r.Body)
	}
	if n := count(t, db, "SELECT count(*) FROM skeldir.attribution_events"); n != 0 {
		t.Errorf("%d events stored", n)
	}
}

func TestARotatedURLWorksBesideTheOldOneUntilTheOldIsRevoked(t *testing.T) {
	db, d, tn := webhookFixture(t)
	admin := db.Pool(t, testdb.Admin)
	var rotated struct {
		URL    string `json:"webhook_url"`
		Prefix string `json:"prefix"`
	}
	if err := admin.QueryRow(context.Background(), "SELECT admin.rotate_webhook_url($1, 'stripe')", tn.ID).Scan(&rotated); err != nil {
		t.Fatal(err)
	}
	old := tn.URLs["stripe"]
	if rotated.URL == old {
		t.Fatal("rotation returned the old URL")
	}
	for i, url := range []string{old, rotated.URL} {
		if r := tn.post(t, d, url, "stripe", "charge/succeeded", []byte(samples[4].body(7100+i)), nil); r.Status != 200 {
			t.Errorf("URL %d during rotation: %d %v", i, r.Status, r.Body)
		}
	}
	var urls map[string]string
	if err := admin.QueryRow(context.Background(), "SELECT admin.webhook_urls($1) -> 'webhook_urls'", tn.ID).Scan(&urls); err != nil {
		t.Fatal(err)
	}
	if urls["stripe"] != rotated.URL || urls["shopify"] != tn.URLs["shopify"] {
		t.Errorf("listed URLs %v, want the rotated Stripe URL and the original others", urls)
	}
	oldPrefix := old[strings.LastIndex(old, "/")+1:][:12]
	if _, err := admin.Exec(context.Background(), "SELECT admin.revoke_webhook_url($1, $2)", tn.ID, oldPrefix); err != nil {
		t.Fatal(err)
	}
	if r := tn.post(t, d, old, "stripe", "charge/succeeded", []byte(samples[4].body(7102)), nil); r.Status != 401 {
		t.Errorf("revoked URL: %d %v", r.Status, r.Body)
	}
	if r := tn.post(t, d, rotated.URL, "stripe", "charge/succeeded", []byte(samples[4].body(7103)), nil); r.Status != 200 {
		t.Errorf("new URL after revoking the old: %d %v", r.Status, r.Body)
	}
}

// WooCommerce keeps a webhook only if its unsigned webhook_id=<n> ping is
// answered 2xx.
func TestWooCommercePingIsAnswered200AndStoresNothing(t *testing.T) {
	db, d, tn := webhookFixture(t)
	ping := []byte("webhook_id=42")
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-WC-Webhook-Signature": ""}
	routes := []string{"", "order/created", "order/updated", "order_completed", "order/refunded"}
	for _, route := range routes {
		for name, a := range map[string]answer{
			"header form": tn.deliver(t, d, "woocommerce", route, ping, form),
			"URL form":    tn.deliverToURL(t, d, "woocommerce", route, ping, form),
		} {
			if a.Status != 200 || a.Body["status"] != "ping" {
				t.Errorf("ping to %q, %s: %d %v", route, name, a.Status, a.Body)
			}
		}
	}
	stranger := map[string]string{"X-Skeldir-Tenant-Key": "skd_" + strings.Repeat("0", 48)}
	for k, v := range form {
		stranger[k] = v
	}
	if a := tn.post(t, d, "/api/webhooks/woocommerce", "woocommerce", "", ping, stranger); a.Status != 401 {
		t.Errorf("ping for an unknown tenant: %d %v", a.Status, a.Body)
	}
	if a := tn.deliver(t, d, "shopify", "order_create", ping, map[string]string{"X-Shopify-Hmac-Sha256": ""}); a.Status != 401 {
		t.Errorf("a ping-shaped body to Shopify: %d %v", a.Status, a.Body)
	}
	if n := count(t, db, "SELECT (SELECT count(*) FROM skeldir.attribution_events) + (SELECT count(*) FROM skeldir.dead_events)"); n != 0 {
		t.Errorf("%d rows stored from pings", n)
	}
	_, metrics := d.Do(t, "GET", "/metrics", nil, nil)
	if want := `skeldir_webhook_deliveries_total{outcome="ping",vendor="woocommerce"} 10`; !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %s", want)
	}
}
