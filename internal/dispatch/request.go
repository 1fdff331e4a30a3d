package dispatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

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
	for field, value := range obj {
		if !textJSON(value) {
			return nil, notText(field)
		}
	}
	return obj, nil
}

// notText is the 400 for a parameter holding what PostgreSQL cannot store
// as text: a NUL, an unpaired UTF-16 surrogate, or bytes that are not UTF-8.
// Caught here, it is named; in SQL it would be a cast error naming nothing.
func notText(field string) *problem.Details {
	return fieldProblem(field, field+" holds a NUL, an unpaired surrogate or bytes that are not UTF-8")
}

// text reports whether s can be stored as PostgreSQL text.
func text(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// textJSON reports whether the JSON value raw holds only text PostgreSQL's
// jsonb accepts: valid UTF-8, and no \u0000 or unpaired surrogate escapes.
func textJSON(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // an escaped character, \\ included
			continue
		}
		r, ok := jsonEscape(raw, i)
		switch {
		case !ok || r == 0:
			return false
		case utf16.IsSurrogate(r):
			low, ok := jsonEscape(raw, i+6)
			if r >= 0xDC00 || !ok || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 6
		}
		i += 5
	}
	return true
}

// jsonEscape reads the \uXXXX escape at raw[i].
func jsonEscape(raw []byte, i int) (rune, bool) {
	if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
	return rune(n), err == nil
}

// textParams answers 400 naming the first query or path parameter that is
// not text (see notText), before any handler passes it to SQL.
func textParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.URL.Query() {
			for _, v := range values {
				if !text(v) || !text(name) {
					problem.Write(w, r, *notText(name))
					return
				}
			}
		}
		if rc := chi.RouteContext(r.Context()); rc != nil {
			for i, name := range rc.URLParams.Keys {
				if !text(rc.URLParams.Values[i]) {
					problem.Write(w, r, *notText(name))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
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
