package paypalcert

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
)

// testCert makes a throwaway self-signed certificate and its key.
func testCert(t testing.TB) (string, *rsa.PrivateKey) {
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
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key
}

func sign(t testing.TB, key *rsa.PrivateKey, msg string) string {
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func TestVerify(t *testing.T) {
	certPEM, key := testCert(t)
	body := []byte(`{"id":"WH-1","event_type":"PAYMENT.SALE.COMPLETED"}`)
	tr := Transmission{ID: "tx-1", Time: "2026-11-26T00:00:00Z", AuthAlgo: "SHA256withRSA"}
	tr.Sig = sign(t, key, Message("WH-HOOK", tr, body))

	if err := Verify(certPEM, "WH-HOOK", tr, body); err != nil {
		t.Fatalf("a genuine signature was refused: %v", err)
	}
	tampered := append([]byte{}, body...)
	tampered[2] = 'X'
	otherCert, _ := testCert(t)
	for name, check := range map[string]error{
		"tampered body":     Verify(certPEM, "WH-HOOK", tr, tampered),
		"other webhook id":  Verify(certPEM, "WH-OTHER", tr, body),
		"other certificate": Verify(otherCert, "WH-HOOK", tr, body),
		"not a certificate": Verify("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "WH-HOOK", tr, body),
		"missing signature": Verify(certPEM, "WH-HOOK", Transmission{ID: tr.ID, Time: tr.Time}, body),
		"wrong algorithm":   Verify(certPEM, "WH-HOOK", Transmission{ID: tr.ID, Time: tr.Time, Sig: tr.Sig, AuthAlgo: "SHA1withRSA"}, body),
		"signature not b64": Verify(certPEM, "WH-HOOK", Transmission{ID: tr.ID, Time: tr.Time, Sig: "%%%"}, body),
	} {
		if check == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestMessageUsesDecimalCRC32(t *testing.T) {
	got := Message("WH", Transmission{ID: "a", Time: "b"}, []byte("hello"))
	if got != "a|b|WH|907060870" {
		t.Errorf("Message = %q", got)
	}
}

// Whatever PayPal (or anyone) sends, Verify answers with an error or nil and
// never panics.
func FuzzVerify(f *testing.F) {
	certPEM, key := testCert(f)
	body := []byte(`{"id":"WH-1"}`)
	tr := Transmission{ID: "tx", Time: "2026-11-26T00:00:00Z"}
	f.Add("tx", "2026-11-26T00:00:00Z", sign(f, key, Message("WH", tr, body)), "SHA256withRSA", body)
	f.Add("", "", "", "", []byte{})
	f.Add("x", "y", "AAAA", "sha256withrsa", []byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, id, when, sig, algo string, body []byte) {
		Verify(certPEM, "WH", Transmission{ID: id, Time: when, Sig: sig, AuthAlgo: algo}, body)
	})
}
