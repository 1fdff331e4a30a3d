// Package signing computes the signature headers webhook senders attach, for
// the tools that play the sender: tests, the storm harness and the ingest
// benchmark. Skeldir itself verifies signatures in SQL, not here.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// Headers returns the signature header(s) vendor would send for body signed
// with secret, at time now (Stripe signs a timestamp).
func Headers(vendor, secret string, body []byte, now time.Time) map[string]string {
	switch vendor {
	case "shopify":
		return map[string]string{"X-Shopify-Hmac-Sha256": base64.StdEncoding.EncodeToString(mac(secret, body))}
	case "woocommerce":
		return map[string]string{"X-WC-Webhook-Signature": base64.StdEncoding.EncodeToString(mac(secret, body))}
	case "stripe":
		t := now.Unix()
		signed := append([]byte(fmt.Sprintf("%d.", t)), body...)
		return map[string]string{"Stripe-Signature": fmt.Sprintf("t=%d,v1=%s", t, hex.EncodeToString(mac(secret, signed)))}
	case "paypal":
		return map[string]string{"Paypal-Transmission-Sig": hex.EncodeToString(mac(secret, body))}
	}
	panic("signing: unknown vendor " + vendor)
}

func mac(secret string, msg []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return m.Sum(nil)
}
