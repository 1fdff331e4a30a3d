package dispatch

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Every database refusal or unavailability is a 503 with Retry-After, in
// our words; a 500 is left for bugs.
func TestDatabaseRefusalsAre503AndBugs500(t *testing.T) {
	cases := []struct {
		err    error
		status int
	}{
		{&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, 503},
		{&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, 503},
		{&pgconn.PgError{Code: "53300", Message: "too many connections for role \"skeldird_api\""}, 503},
		{&pgconn.PgError{Code: "53100", Message: "could not extend file: No space left on device"}, 503},
		{&pgconn.PgError{Code: "08006", Message: "connection failure"}, 503},
		{&pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, 503},
		{&pgconn.PgError{Code: "40P01", Message: "deadlock detected"}, 503},
		{&pgconn.PgError{Code: "40001", Message: "could not serialize access"}, 503},
		{&pgconn.PgError{Code: "55P03", Message: "canceling statement due to lock timeout"}, 503},
		{&pgconn.PgError{Code: "25006", Message: "cannot execute INSERT in a read-only transaction"}, 503},
		{&pgconn.PgError{Code: "58030", Message: "could not read block"}, 503},
		{errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), 503},
		{&pgconn.PgError{Code: "42883", Message: "function api.nope() does not exist"}, 500},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}, 500},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		writeDatabaseError(rec, httptest.NewRequest("POST", "/api/webhooks/stripe", nil), c.err)
		body := rec.Body.String()
		if rec.Code != c.status {
			t.Errorf("%v: %d, want %d", c.err, rec.Code, c.status)
		}
		if c.status == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%v: 503 without Retry-After", c.err)
		}
		if strings.Contains(body, c.err.Error()) || strings.Contains(body, "nothing was stored") {
			t.Errorf("%v: the answer carries database wording or a promise it cannot keep: %s", c.err, body)
		}
	}
}
