package dispatch

import "github.com/go-chi/chi/v5"

// mountExport routes /api/export (behind a bearer token).
func mountExport(r chi.Router, o Options) {}
