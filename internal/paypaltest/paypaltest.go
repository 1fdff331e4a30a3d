// Package paypaltest plays PayPal in tests: a throwaway self-signed
// certificate, and signatures over transmissions made with its key, as
// PayPal signs its webhooks: RSA-SHA256 (SHA256withRSA) over
// "transmission_id|transmission_time|webhook_id|crc32", where crc32 is the
// IEEE CRC-32 of the raw body in decimal. The database verifies them
// (skeldir.paypal_transmission_valid); this is the sender's side, written
// with Go's crypto so that the two are independent.
package paypaltest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"math/big"
	"testing"
	"time"
)

// Transmission is what PayPal sends in its PAYPAL-TRANSMISSION-* headers.
type Transmission struct {
	ID   string // PAYPAL-TRANSMISSION-ID
	Time string // PAYPAL-TRANSMISSION-TIME
	Sig  string // PAYPAL-TRANSMISSION-SIG, base64
}

// Message is the string PayPal signs.
func Message(webhookID string, t Transmission, body []byte) string {
	return fmt.Sprintf("%s|%s|%s|%d", t.ID, t.Time, webhookID, crc32.ChecksumIEEE(body))
}

// Signer holds a test certificate and its private key.
type Signer struct {
	// CertificatePEM is what an operator would pin.
	CertificatePEM string
	key            *rsa.PrivateKey
}

// New makes a fresh certificate, valid for an hour around now.
func New(t testing.TB) *Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "paypal-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key: key}
}

// Sign returns tr with Sig set to PayPal's signature of body for webhookID.
func (s *Signer) Sign(t testing.TB, webhookID string, tr Transmission, body []byte) Transmission {
	t.Helper()
	digest := sha256.Sum256([]byte(Message(webhookID, tr, body)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	tr.Sig = base64.StdEncoding.EncodeToString(sig)
	return tr
}
