package dispatch

import "github.com/go-chi/chi/v5"

// mountDashboard routes the dashboard's reads and requests (behind a bearer
// token).
func mountDashboard(r chi.Router, o Options) {}
