package dispatch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/prometheus/client_golang/prometheus"
)

// failingRows yields n export rows, then fails as a lost connection would.
type failingRows struct {
	n, i int
	err  error
}

func (r *failingRows) Next() bool {
	if r.i >= r.n {
		r.err = errors.New("unexpected EOF from the database")
		return false
	}
	r.i++
	return true
}

func (r *failingRows) Scan(dest ...any) error {
	for _, d := range dest {
		switch d := d.(type) {
		case *string:
			*d = "1.00" // a valid value for every column, amounts included
		case *int64:
			*d = 100
		case *time.Time:
			*d = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	return nil
}

func (r *failingRows) Err() error                                   { return r.err }
func (r *failingRows) Close()                                       {}
func (r *failingRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r *failingRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r *failingRows) Values() ([]any, error)                       { return nil, nil }
func (r *failingRows) RawValues() [][]byte                          { return nil }
func (r *failingRows) Conn() *pgx.Conn                              { return nil }
func (r *failingRows) TypeMap() *pgtype.Map                         { return nil }

type failingDB struct{ rows int }

func (db failingDB) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return &failingRows{n: db.rows}, nil
}

func (db failingDB) QueryRow(context.Context, string, ...any) pgx.Row { panic("not used") }

// An export that fails after its 200 was sent must not look complete: the
// connection is dropped before the response's end, and the failure logged.
func TestExportFailingMidStreamIsCutShortNotCompleted(t *testing.T) {
	for _, format := range []string{"csv", "json", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var logs bytes.Buffer
			srv := httptest.NewServer(NewRouter(ctx, Options{DB: failingDB{rows: 5000},
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: prometheus.NewRegistry(),
				MaxBodyBytes: 1 << 20, IngestWorkers: 1, ReadyTimeout: time.Second,
				WorkerProbeTimeout: time.Second}))
			defer srv.Close()
			token := "any.token.here" // failingDB judges no token

			req, _ := http.NewRequest("GET", srv.URL+"/api/export/revenue?format="+format+
				"&start_date=2026-03-01&end_date=2026-03-02", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %d and %d bytes ending in %v; want 200 and a body cut short (unexpected EOF)",
					resp.StatusCode, n, err)
			}
			if !strings.Contains(logs.String(), `"msg":"export aborted"`) ||
				!strings.Contains(logs.String(), `"rows_sent":5000`) {
				t.Errorf("the failure is not logged:\n%s", logs.String())
			}
		})
	}
}
