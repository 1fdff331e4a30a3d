package dispatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/problem"
)

// Reading requests: every refusal is a 400 problem naming the field at
// fault, never a 500.

func fieldProblem(field, detail string) *problem.Details {
	return &problem.Details{Type: "invalid_parameter", Title: "Bad Request", Status: http.StatusBadRequest,
		Detail: detail, Field: field}
}

// jsonObject parses the request body as one JSON object; an empty body is
// an empty object where allowEmpty.
func jsonObject(r *http.Request, allowEmpty bool) (map[string]json.RawMessage, *problem.Details) {
	raw, bad := readBody(r)
	if bad != nil {
		return nil, bad
	}
	if allowEmpty && len(bytes.TrimSpace(raw)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, &problem.Details{Type: "invalid_body", Title: "Bad Request", Status: http.StatusBadRequest,
			Detail: "the request body must be a JSON object"}
	}
	return obj, nil
}

// stringField reads obj[name] as a JSON string, naming the field when it is
// missing (and required), not a string, or holds a NUL (which PostgreSQL
// text cannot).
func stringField(obj map[string]json.RawMessage, name string, required bool) (string, *problem.Details) {
	raw, present := obj[name]
	if !present || string(raw) == "null" {
		if required {
			return "", fieldProblem(name, name+" is required")
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fieldProblem(name, name+" must be a string")
	}
	if strings.ContainsRune(s, 0) {
		return "", fieldProblem(name, name+" must not contain NUL characters")
	}
	return s, nil
}

// numberField reads obj[name] as a JSON number, kept exact.
func numberField(obj map[string]json.RawMessage, name string, required bool) (json.Number, *problem.Details) {
	raw, present := obj[name]
	if !present || string(raw) == "null" {
		if required {
			return "", fieldProblem(name, name+" is required")
		}
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var n any
	if err := dec.Decode(&n); err != nil {
		return "", fieldProblem(name, name+" must be a number")
	}
	number, ok := n.(json.Number)
	if !ok {
		return "", fieldProblem(name, name+" must be a number")
	}
	return number, nil
}

// jsonField is obj[name] as JSON text for a jsonb parameter, or nil.
func jsonField(obj map[string]json.RawMessage, name string) any {
	raw := obj[name]
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return string(raw)
}

// dateParam parses a YYYY-MM-DD value of field; empty is nil (absent).
func dateParam(v, field string) (any, *problem.Details) {
	if v == "" {
		return nil, nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return nil, fieldProblem(field, fmt.Sprintf("%s must be a date as YYYY-MM-DD, not %q", field, clip(v)))
	}
	return v, nil
}

// uuidParam reads the path parameter name as a UUID.
func uuidParam(r *http.Request, name string) (string, *problem.Details) {
	v := chi.URLParam(r, name)
	if !correlation.IsUUID(v) {
		return "", fieldProblem(name, fmt.Sprintf("%s must be a UUID, not %q", name, clip(v)))
	}
	return strings.ToLower(v), nil
}

// clip shortens a client's value quoted back in a problem.
func clip(v string) string {
	if len(v) > 64 {
		return v[:64] + "…"
	}
	return v
}
