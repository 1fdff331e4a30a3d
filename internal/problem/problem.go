// Package problem writes RFC 9457 problem details (application/problem+json)
// with Skeldir's extension members, correlation_id and timestamp.
package problem

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/skeldir/skeldir/internal/correlation"
)

// Details is one problem. Type is a short slug such as "not_found"; Write
// turns it into the URN that is the problem's type URI.
type Details struct {
	Type   string
	Title  string
	Status int
	Detail string
	// Field names the request parameter or body field at fault, if one is.
	Field string
}

type body struct {
	Type          string       `json:"type"`
	Title         string       `json:"title"`
	Status        int          `json:"status"`
	Detail        string       `json:"detail"`
	Instance      string       `json:"instance"`
	CorrelationID string       `json:"correlation_id"`
	Timestamp     string       `json:"timestamp"`
	Errors        []fieldError `json:"errors,omitempty"`
}

// fieldError names the request field a problem is about.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Write sends p as the response to r. Its instance is the occurrence, as an
// absolute URI (RFC 9457 §3.1.5): urn:uuid: and the request's correlation id,
// which the logs carry too; never the request's path, which would echo
// whatever the client sent.
func Write(w http.ResponseWriter, r *http.Request, p Details) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	id := correlation.FromContext(r.Context())
	json.NewEncoder(w).Encode(body{
		Type:          "urn:skeldir:problem:" + p.Type,
		Title:         p.Title,
		Status:        p.Status,
		Detail:        p.Detail,
		Instance:      "urn:uuid:" + id,
		CorrelationID: id,
		Timestamp:     time.Now().UTC().Format(time.RFC3339),
		Errors:        fieldErrors(p),
	})
}

func fieldErrors(p Details) []fieldError {
	if p.Field == "" {
		return nil
	}
	return []fieldError{{Field: p.Field, Message: p.Detail, Code: p.Type}}
}
