// Package auth issues and checks the dashboard's access tokens: compact
// JWTs (RFC 7519) signed with HMAC-SHA256 under a key from configuration.
// Users, passwords and refresh tokens live in the database; the token's
// signature is the one thing the daemon vouches for itself.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinKeyBytes is the shortest signing key accepted: HMAC-SHA256's block of
// security, 256 bits.
const MinKeyBytes = 32

// Errors Verify returns; each says why a token was refused.
var (
	ErrMalformed = errors.New("the token is not a signed JWT")
	ErrSignature = errors.New("the token's signature does not match")
	ErrExpired   = errors.New("the token has expired")
)

// Claims are what an access token says: who (Subject, a user id), for which
// tenant, and for how long.
type Claims struct {
	Subject  string `json:"sub"`
	Tenant   string `json:"tid"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

// Tokens signs and verifies access tokens.
type Tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// header is the only header Tokens writes or accepts: a token naming any
// other algorithm ("none" included) is refused before its signature is read.
var header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// NewTokens returns Tokens signing with key; an issued token lasts ttl.
func NewTokens(key []byte, ttl time.Duration) (*Tokens, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("the signing key has %d bytes; it needs at least %d", len(key), MinKeyBytes)
	}
	if ttl <= 0 {
		return nil, errors.New("an access token must live a positive time")
	}
	return &Tokens{key: key, ttl: ttl, now: time.Now}, nil
}

// TTL is how long an issued token lasts.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs a token for user subject of tenant.
func (t *Tokens) Issue(subject, tenant string) (string, Claims) {
	now := t.now()
	c := Claims{Subject: subject, Tenant: tenant, IssuedAt: now.Unix(), Expires: now.Add(t.ttl).Unix()}
	payload, _ := json.Marshal(c) // strings and integers always marshal
	unsigned := header + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + t.sign(unsigned), c
}

// Verify checks token's header, signature and expiry, and returns its claims.
func (t *Tokens) Verify(token string) (Claims, error) {
	h, rest, ok := strings.Cut(token, ".")
	if !ok || h != header {
		return Claims{}, ErrMalformed
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal([]byte(sig), []byte(t.sign(h+"."+payload))) {
		return Claims{}, ErrSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil || c.Subject == "" || c.Tenant == "" || c.Expires == 0 {
		return Claims{}, ErrMalformed
	}
	if t.now().Unix() >= c.Expires {
		return Claims{}, ErrExpired
	}
	return c, nil
}

func (t *Tokens) sign(unsigned string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(unsigned))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
