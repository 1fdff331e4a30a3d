package dispatch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/skeldir/skeldir/internal/problem"
)

// presented is the access token a request carries. The daemon does not
// judge it: every dashboard function takes it and verifies it in SQL
// (skeldir.enter_session), which is where the signing keys are.
type presented struct {
	token string
	// tenant is the tenant the token claims, unverified: a rate-limit bucket
	// and a log field, never a decision. A forged claim buys nothing, since
	// the database refuses the token and the limiter gives back what a
	// refused request took.
	tenant string
}

type presentedKey struct{}

// requireBearer admits a request only with an Authorization: Bearer token,
// and puts it in the request's context for the handler to pass on.
func requireBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			unauthorized(w, r, "an Authorization: Bearer access token is required")
			return
		}
		p := presented{token: token, tenant: claimedTenant(token)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), presentedKey{}, p)))
	})
}

// tokenOf returns the access token requireBearer put in ctx.
func tokenOf(ctx context.Context) string {
	p, _ := ctx.Value(presentedKey{}).(presented)
	return p.token
}

// claimedTenantOf returns the tenant the token in ctx claims (unverified).
func claimedTenantOf(ctx context.Context) string {
	p, _ := ctx.Value(presentedKey{}).(presented)
	return p.tenant
}

// claimedTenant reads the tid claim of a JWT without checking anything; ""
// when there is none.
func claimedTenant(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Tenant string `json:"tid"`
	}
	json.Unmarshal(payload, &claims)
	return claims.Tenant
}

func unauthorized(w http.ResponseWriter, r *http.Request, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="skeldir"`)
	problem.Write(w, r, problem.Details{Type: "unauthorized", Title: "Unauthorized",
		Status: http.StatusUnauthorized, Detail: detail})
}
