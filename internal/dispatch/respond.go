package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/skeldir/skeldir/internal/problem"
)

// readBody reads the request body under the cap limitBody set; past the cap
// it returns the 413 problem to send instead.
func readBody(r *http.Request) ([]byte, *problem.Details) {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &problem.Details{Type: "payload_too_large", Title: "Payload Too Large",
			Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return nil, &problem.Details{Type: "bad_request", Title: "Bad Request", Status: http.StatusBadRequest,
			Detail: "the request body could not be read"}
	}
	return body, nil
}

// ourWords is the message of an error our SQL raised (RAISE, written for
// clients), or fallback for one PostgreSQL raised itself, whose wording (a
// cast's "invalid input syntax for type uuid: ...") is not for clients.
func ourWords(pgErr *pgconn.PgError, fallback string) string {
	if pgErr.Routine == "exec_stmt_raise" {
		return pgErr.Message
	}
	return fallback
}

// writeDatabaseError answers a request whose SQL call failed. The database
// judges input: a refused parameter (SQLSTATE class 22, with the parameter
// named as the error's column) is a 400 naming the field, a refused access
// token (PT401, PostgREST's spelling of an HTTP status) a 401, a missing row
// a 404.
// A database that cannot take the request now (unreachable, restarting, out
// of connections or resources, or a transaction that lost a race and may
// simply be retried: databaseBusy) is a 503 with Retry-After. Anything else
// is a 500: a bug, since nothing a client sends should cause one.
func writeDatabaseError(w http.ResponseWriter, r *http.Request, err error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "22"):
			problem.Write(w, r, problem.Details{Type: "invalid_parameter", Title: "Bad Request",
				Status: http.StatusBadRequest, Detail: ourWords(pgErr, "a parameter is not valid"), Field: pgErr.ColumnName})
		case pgErr.Code == "PT401":
			unauthorized(w, r, ourWords(pgErr, "the access token is invalid"))
		case pgErr.Code == "P0002":
			problem.Write(w, r, problem.Details{Type: "not_found", Title: "Not Found",
				Status: http.StatusNotFound, Detail: ourWords(pgErr, "nothing here for this tenant")})
		case databaseBusy(pgErr.Code):
			writeUnavailable(w, r)
		default:
			problem.Write(w, r, problem.Details{Type: "internal_error", Title: "Internal Server Error",
				Status: http.StatusInternalServerError, Detail: "an unexpected error occurred; quote the correlation id"})
		}
		return
	}
	writeUnavailable(w, r)
}

// tokenRefused reports whether err is the database refusing an access token.
func tokenRefused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "PT401"
}

// databaseBusy reports whether a SQLSTATE says the database could not take
// the request now, as PostgREST's mapping of SQLSTATE classes has it:
// connection exceptions (08), insufficient resources (53: too many
// connections, out of memory or disk), operator intervention (57: shutting
// down, starting up, a statement or lock timeout), system errors (58),
// transactions to retry (40: serialization failure, deadlock), a lock not
// available (55P03) and a read-only server (25006, a standby).
func databaseBusy(code string) bool {
	switch {
	case len(code) != 5:
		return false
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "57"),
		strings.HasPrefix(code, "58"), strings.HasPrefix(code, "40"):
		return true
	}
	return code == "55P03" || code == "25006"
}

// writeUnavailable answers 503. It does not claim that nothing was stored:
// a commit can be in doubt when the connection drops. A retry is safe: a
// delivery that was stored is answered duplicate.
func writeUnavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "5")
	problem.Write(w, r, problem.Details{Type: "database_unavailable", Title: "Service Unavailable",
		Status: http.StatusServiceUnavailable,
		Detail: "the database cannot take this request now; retry later (a retried webhook that was stored is answered duplicate)"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
