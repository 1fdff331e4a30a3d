// Package paypalcert verifies PayPal's own webhook signatures: RSA-SHA256
// (SHA256withRSA) over "transmission_id|transmission_time|webhook_id|crc32",
// where crc32 is the IEEE CRC-32 of the raw body in decimal.
//
// The certificate is the one an operator pinned for the tenant; this package
// never fetches PAYPAL-CERT-URL. pgcrypto cannot verify RSA, which is the one
// reason this check runs in Go rather than in SQL.
package paypalcert

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Transmission is what PayPal sends in its PAYPAL-* headers.
type Transmission struct {
	ID       string // PAYPAL-TRANSMISSION-ID
	Time     string // PAYPAL-TRANSMISSION-TIME
	Sig      string // PAYPAL-TRANSMISSION-SIG, base64
	AuthAlgo string // PAYPAL-AUTH-ALGO, SHA256withRSA
}

// Verify reports whether t signs body for webhookID under the RSA key of the
// PEM certificate certPEM. Every failure is an error saying which part failed.
func Verify(certPEM, webhookID string, t Transmission, body []byte) error {
	if t.AuthAlgo != "" && !strings.EqualFold(t.AuthAlgo, "SHA256withRSA") {
		return fmt.Errorf("unsupported PAYPAL-AUTH-ALGO %q", t.AuthAlgo)
	}
	if t.ID == "" || t.Time == "" || t.Sig == "" {
		return errors.New("PAYPAL-TRANSMISSION-ID, -TIME and -SIG are all required")
	}
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return errors.New("pinned certificate is not a PEM CERTIFICATE")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("pinned certificate: %w", err)
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("pinned certificate does not hold an RSA key")
	}
	sig, err := base64.StdEncoding.DecodeString(t.Sig)
	if err != nil {
		return fmt.Errorf("PAYPAL-TRANSMISSION-SIG is not base64: %w", err)
	}
	digest := sha256.Sum256([]byte(Message(webhookID, t, body)))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("PAYPAL-TRANSMISSION-SIG does not verify against the pinned certificate")
	}
	return nil
}

// Message is the string PayPal signs.
func Message(webhookID string, t Transmission, body []byte) string {
	return fmt.Sprintf("%s|%s|%s|%d", t.ID, t.Time, webhookID, crc32.ChecksumIEEE(body))
}
