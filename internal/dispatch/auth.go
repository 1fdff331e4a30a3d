package dispatch

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/problem"
)

// AuthOptions configure login, refresh tokens and the per-tenant rate limit.
type AuthOptions struct {
	// AccessTTL is how long an access token lasts.
	AccessTTL time.Duration
	// RefreshTTL is how long a refresh token lasts unused.
	RefreshTTL time.Duration
	// LoginWindow is the sliding window over which failed logins count.
	LoginWindow time.Duration
	// LoginMaxPerIP and LoginMaxPerEmail are the failed logins allowed in the
	// window per client address and per email.
	LoginMaxPerIP, LoginMaxPerEmail int
	// TenantRate (requests per second) and TenantBurst bound each tenant's
	// dashboard requests; a zero rate disables the limit.
	TenantRate  float64
	TenantBurst int
}

type authHandlers struct {
	db DB
	o  AuthOptions
}

// mountAuth routes /api/auth: login, refresh, and logout and verify behind
// a bearer token. The database checks passwords, keeps refresh tokens, and
// mints and verifies the access tokens.
func mountAuth(r chi.Router, o Options) {
	h := authHandlers{db: o.DB, o: o.Auth}
	r.Post("/api/auth/login", h.login)
	r.Post("/api/auth/refresh", h.refresh)
	r.With(requireBearer).Post("/api/auth/logout", h.logout)
	r.With(requireBearer).Get("/api/auth/verify", h.verify)
}

// session is what api.login and api.refresh_session answer.
type session struct {
	Outcome          string    `json:"outcome"`
	RetryAfter       int       `json:"retry_after"`
	UserID           string    `json:"user_id"`
	TenantID         string    `json:"tenant_id"`
	Email            string    `json:"email"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	AccessToken      string    `json:"access_token"`
	ExpiresIn        int64     `json:"expires_in"`
}

func (h authHandlers) login(w http.ResponseWriter, r *http.Request) {
	body, bad := jsonObject(r, false)
	if bad != nil {
		problem.Write(w, r, *bad)
		return
	}
	email, bad := stringField(body, "email", true)
	var password string
	if bad == nil {
		password, bad = stringField(body, "password", true)
	}
	if bad != nil {
		problem.Write(w, r, *bad)
		return
	}
	var s session
	err := h.db.QueryRow(r.Context(), "SELECT api.login($1, $2, $3::inet, $4::interval, $5::interval, $6::interval, $7, $8)",
		email, password, clientIP(r), interval(h.o.RefreshTTL), interval(h.o.AccessTTL), interval(h.o.LoginWindow),
		h.o.LoginMaxPerIP, h.o.LoginMaxPerEmail).Scan(&s)
	if err != nil {
		writeDatabaseError(w, r, err)
		return
	}
	switch s.Outcome {
	case "ok":
		issue(w, s)
	case "rate_limited":
		tooManyRequests(w, r, max(1, s.RetryAfter), fmt.Sprintf(
			"too many failed logins from this address or for this email; retry in %d seconds", max(1, s.RetryAfter)))
	default:
		// Never which of the two was wrong.
		w.Header().Set("WWW-Authenticate", `Bearer realm="skeldir"`)
		problem.Write(w, r, problem.Details{Type: "invalid_credentials", Title: "Unauthorized",
			Status: http.StatusUnauthorized, Detail: "the email or the password is wrong"})
	}
}

func (h authHandlers) refresh(w http.ResponseWriter, r *http.Request) {
	body, bad := jsonObject(r, false)
	if bad != nil {
		problem.Write(w, r, *bad)
		return
	}
	token, bad := stringField(body, "refresh_token", true)
	if bad != nil {
		problem.Write(w, r, *bad)
		return
	}
	var s session
	err := h.db.QueryRow(r.Context(), "SELECT api.refresh_session($1, $2::interval, $3::interval)",
		token, interval(h.o.RefreshTTL), interval(h.o.AccessTTL)).Scan(&s)
	if err != nil {
		writeDatabaseError(w, r, err)
		return
	}
	switch s.Outcome {
	case "ok":
		issue(w, s)
	case "reused":
		unauthorized(w, r, "the refresh token was already used, so every session it belongs to has been revoked; log in again")
	default:
		unauthorized(w, r, "the refresh token is invalid, expired or revoked; log in again")
	}
}

// issue answers a login or refresh: the access token and the refresh token
// the database issued (shown this once).
func issue(w http.ResponseWriter, s session) {
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":       s.AccessToken,
		"token_type":         "Bearer",
		"expires_in":         s.ExpiresIn,
		"refresh_token":      s.RefreshToken,
		"refresh_expires_in": int64(time.Until(s.RefreshExpiresAt).Seconds()),
		"tenant_id":          s.TenantID,
		"user":               map[string]string{"id": s.UserID, "email": s.Email, "tenant_id": s.TenantID},
	})
}

func (h authHandlers) logout(w http.ResponseWriter, r *http.Request) {
	body, bad := jsonObject(r, true)
	if bad != nil {
		problem.Write(w, r, *bad)
		return
	}
	var token *string
	if _, present := body["refresh_token"]; present {
		t, bad := stringField(body, "refresh_token", true)
		if bad != nil {
			problem.Write(w, r, *bad)
			return
		}
		token = &t
	}
	var revoked struct {
		RevokedTokens int64 `json:"revoked_tokens"`
	}
	if err := h.db.QueryRow(r.Context(), "SELECT api.logout($1, $2)",
		tokenOf(r.Context()), token).Scan(&revoked); err != nil {
		writeDatabaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"success":        true,
		"correlation_id": correlation.FromContext(r.Context()),
		"message":        "Session terminated",
		"revoked_tokens": revoked.RevokedTokens,
	})
}

func (h authHandlers) verify(w http.ResponseWriter, r *http.Request) {
	var user struct {
		UserID    string    `json:"user_id"`
		TenantID  string    `json:"tenant_id"`
		Email     string    `json:"email"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := h.db.QueryRow(r.Context(), "SELECT api.verify_session($1)", tokenOf(r.Context())).Scan(&user); err != nil {
		writeDatabaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"valid":      true,
		"user_id":    user.UserID,
		"tenant_id":  user.TenantID,
		"email":      user.Email,
		"expires_at": user.ExpiresAt.UTC().Format(time.RFC3339),
	})
}

// clientIP is the peer's address. Forwarded headers are not trusted: a
// client could name any address and escape its login limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || net.ParseIP(host) == nil {
		return "0.0.0.0"
	}
	return host
}

// interval spells d for a PostgreSQL interval parameter.
func interval(d time.Duration) string {
	return fmt.Sprintf("%d milliseconds", d.Milliseconds())
}
