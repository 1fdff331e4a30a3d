package dispatch

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// mountAuth routes /api/auth: login, refresh and logout, and verify behind
// bearer.
func mountAuth(r chi.Router, o Options, bearer func(http.Handler) http.Handler) {}
