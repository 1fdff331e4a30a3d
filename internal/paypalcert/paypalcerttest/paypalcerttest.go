// Package paypalcerttest plays PayPal in tests: a throwaway self-signed
// certificate, and signatures over transmissions made with its key.
package paypalcerttest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/skeldir/skeldir/internal/paypalcert"
)

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
func (s *Signer) Sign(t testing.TB, webhookID string, tr paypalcert.Transmission, body []byte) paypalcert.Transmission {
	t.Helper()
	digest := sha256.Sum256([]byte(paypalcert.Message(webhookID, tr, body)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	tr.Sig = base64.StdEncoding.EncodeToString(sig)
	return tr
}
