package auth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func newTokens(t *testing.T) *Tokens {
	t.Helper()
	tokens, err := NewTokens(bytes.Repeat([]byte{7}, MinKeyBytes), 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func TestAnIssuedTokenVerifiesToItsClaims(t *testing.T) {
	tokens := newTokens(t)
	token, issued := tokens.Issue("user-1", "tenant-1")
	got, err := tokens.Verify(token)
	if err != nil || got != issued || got.Tenant != "tenant-1" || got.Subject != "user-1" {
		t.Fatalf("Verify = %+v, %v; issued %+v", got, err, issued)
	}
	if got.Expires-got.IssuedAt != int64((15 * time.Minute).Seconds()) {
		t.Errorf("lifetime %d s", got.Expires-got.IssuedAt)
	}
}

func TestVerifyRefusesWhatItDidNotSignUnaltered(t *testing.T) {
	tokens := newTokens(t)
	token, _ := tokens.Issue("user-1", "tenant-1")
	h, rest, _ := strings.Cut(token, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"user-1","tid":"tenant-2","iat":1,"exp":99999999999}`))
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	other, _ := NewTokens(bytes.Repeat([]byte{8}, MinKeyBytes), time.Minute)
	otherToken, _ := other.Issue("user-1", "tenant-1")

	cases := map[string]struct {
		token string
		want  error
	}{
		"another tenant in the payload": {h + "." + forged + "." + sig, ErrSignature},
		"alg none":                      {none + "." + payload + ".", ErrMalformed},
		"no signature":                  {h + "." + payload, ErrMalformed},
		"signed with another key":       {otherToken, ErrSignature},
		"empty":                         {"", ErrMalformed},
		"garbage":                       {"a.b.c", ErrMalformed},
	}
	for name, c := range cases {
		if _, err := tokens.Verify(c.token); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestAnExpiredTokenIsRefused(t *testing.T) {
	tokens := newTokens(t)
	token, _ := tokens.Issue("user-1", "tenant-1")
	tokens.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	if _, err := tokens.Verify(token); !errors.Is(err, ErrExpired) {
		t.Fatalf("Verify after expiry: %v", err)
	}
}

func TestAShortKeyIsRefused(t *testing.T) {
	if _, err := NewTokens([]byte("short"), time.Minute); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}
