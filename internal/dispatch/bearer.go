package dispatch

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/skeldir/skeldir/internal/auth"
	"github.com/skeldir/skeldir/internal/problem"
)

type claimsKey struct{}

// requireBearer admits a request only with a valid access token
// (Authorization: Bearer), and puts its claims in the request's context:
// every handler behind it serves the token's tenant and no other.
func requireBearer(tokens *auth.Tokens) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || token == "" {
				unauthorized(w, r, "an Authorization: Bearer access token is required")
				return
			}
			claims, err := tokens.Verify(strings.TrimSpace(token))
			if err != nil {
				detail := "the access token is invalid"
				if errors.Is(err, auth.ErrExpired) {
					detail = "the access token has expired; refresh it"
				}
				unauthorized(w, r, detail)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
		})
	}
}

// claimsOf returns the verified claims requireBearer put in ctx.
func claimsOf(ctx context.Context) auth.Claims {
	c, _ := ctx.Value(claimsKey{}).(auth.Claims)
	return c
}

func unauthorized(w http.ResponseWriter, r *http.Request, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="skeldir"`)
	problem.Write(w, r, problem.Details{Type: "unauthorized", Title: "Unauthorized",
		Status: http.StatusUnauthorized, Detail: detail})
}
