package paypalcert_test

import (
	"testing"

	"github.com/skeldir/skeldir/internal/paypalcert"
	"github.com/skeldir/skeldir/internal/paypalcert/paypalcerttest"
)

func TestVerify(t *testing.T) {
	paypal := paypalcerttest.New(t)
	body := []byte(`{"id":"WH-1","event_type":"PAYMENT.SALE.COMPLETED"}`)
	tr := paypal.Sign(t, "WH-HOOK", paypalcert.Transmission{ID: "tx-1", Time: "2026-11-26T00:00:00Z", AuthAlgo: "SHA256withRSA"}, body)

	if err := paypalcert.Verify(paypal.CertificatePEM, "WH-HOOK", tr, body); err != nil {
		t.Fatalf("a genuine signature was refused: %v", err)
	}
	tampered := append([]byte{}, body...)
	tampered[2] = 'X'
	unsigned := paypalcert.Transmission{ID: tr.ID, Time: tr.Time}
	wrongAlgo, notBase64 := tr, tr
	wrongAlgo.AuthAlgo, notBase64.Sig = "SHA1withRSA", "%%%"
	for name, err := range map[string]error{
		"tampered body":     paypalcert.Verify(paypal.CertificatePEM, "WH-HOOK", tr, tampered),
		"other webhook id":  paypalcert.Verify(paypal.CertificatePEM, "WH-OTHER", tr, body),
		"other certificate": paypalcert.Verify(paypalcerttest.New(t).CertificatePEM, "WH-HOOK", tr, body),
		"not a certificate": paypalcert.Verify("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "WH-HOOK", tr, body),
		"missing signature": paypalcert.Verify(paypal.CertificatePEM, "WH-HOOK", unsigned, body),
		"wrong algorithm":   paypalcert.Verify(paypal.CertificatePEM, "WH-HOOK", wrongAlgo, body),
		"signature not b64": paypalcert.Verify(paypal.CertificatePEM, "WH-HOOK", notBase64, body),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestMessageUsesDecimalCRC32(t *testing.T) {
	got := paypalcert.Message("WH", paypalcert.Transmission{ID: "a", Time: "b"}, []byte("hello"))
	if got != "a|b|WH|907060870" {
		t.Errorf("Message = %q", got)
	}
}

// Whatever PayPal (or anyone) sends, Verify answers with an error or nil and
// never panics.
func FuzzVerify(f *testing.F) {
	paypal := paypalcerttest.New(f)
	body := []byte(`{"id":"WH-1"}`)
	good := paypal.Sign(f, "WH", paypalcert.Transmission{ID: "tx", Time: "2026-11-26T00:00:00Z"}, body)
	f.Add(good.ID, good.Time, good.Sig, "SHA256withRSA", body)
	f.Add("", "", "", "", []byte{})
	f.Add("x", "y", "AAAA", "sha256withrsa", []byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, id, when, sig, algo string, body []byte) {
		paypalcert.Verify(paypal.CertificatePEM, "WH", paypalcert.Transmission{ID: id, Time: when, Sig: sig, AuthAlgo: algo}, body)
	})
}
