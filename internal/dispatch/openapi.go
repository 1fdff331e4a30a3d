package dispatch

import (
	_ "embed"
	"net/http"
)

// OpenAPI is Skeldir's own OpenAPI 3.1 document, written by hand as JSON:
// what is served is exactly what is reviewed, with no generator between
// them. Tests hold it to the router (every route is described), to the
// daemon (every response the e2e tests receive must conform, see
// internal/apispec) and to the reference contract (contract_test.go).
//
//go:embed openapi.json
var OpenAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(OpenAPI)
}
