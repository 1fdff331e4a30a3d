package dispatch

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/skeldir/skeldir/internal/correlation"
	"github.com/skeldir/skeldir/internal/export"
	"github.com/skeldir/skeldir/internal/problem"
)

// mountExport routes /api/export (behind a bearer token): the revenue of
// the token's tenant over a date range, one row per ledger booking, as CSV,
// JSON or XLSX. /api/export/revenue takes the format as a parameter; the
// other paths fix it.
func mountExport(r chi.Router, o Options) {
	e := exporter{db: o.DB, logger: o.Logger}
	r.Get("/api/export/revenue", e.handler(""))
	r.Get("/api/export/csv", e.handler(export.CSV))
	r.Get("/api/export/json", e.handler(export.JSON))
	r.Get("/api/export/excel", e.handler(export.XLSX))
}

type exporter struct {
	db     DB
	logger *slog.Logger
}

const (
	// exportDefaultDays is the range when a request names neither end: the
	// 30 days up to and including today (UTC). The contract's format paths
	// take no parameters at all, so they must mean something.
	exportDefaultDays = 30
	// exportWriteWindow is how long the client may take to accept each
	// stretch of exportDeadlineRows rows. The server's WriteTimeout bounds a
	// whole response, which an export of a year may well exceed; a client
	// that stops reading still loses its connection.
	exportWriteWindow  = 30 * time.Second
	exportDeadlineRows = 1024
)

// exportRequest is a parsed export request.
type exportRequest struct {
	format     export.Format
	start, end string // YYYY-MM-DD, either "" when not given
	channels   []string
}

// parseExport reads the request's parameters; fixed is the format of the
// path, "" for /api/export/revenue.
func parseExport(r *http.Request, fixed export.Format) (exportRequest, *problem.Details) {
	q := r.URL.Query()
	bad := func(field, detail string) (exportRequest, *problem.Details) {
		return exportRequest{}, fieldProblem(field, detail)
	}
	req := exportRequest{format: fixed}
	if q.Has("format") || fixed == "" {
		name := q.Get("format")
		if !q.Has("format") {
			name = string(export.CSV) // the contract's default
		}
		f, ok := export.ParseFormat(name)
		switch {
		case !ok:
			return bad("format", fmt.Sprintf("format must be one of csv, json, xlsx, not %q", clip(name)))
		case fixed != "" && f != fixed:
			return bad("format", fmt.Sprintf("this path exports %s; format=%s contradicts it", fixed, f))
		}
		req.format = f
	}
	for _, field := range []string{"start_date", "end_date"} {
		v := q.Get(field)
		if q.Has(field) && v == "" {
			return bad(field, field+" is empty; give a date as YYYY-MM-DD or leave it out")
		}
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return bad(field, fmt.Sprintf("%s must be a date as YYYY-MM-DD, not %q", field, clip(v)))
		}
		if field == "start_date" {
			req.start = v
		} else {
			req.end = v
		}
	}
	if req.start == "" && req.end == "" {
		today := time.Now().UTC()
		req.start = today.AddDate(0, 0, -(exportDefaultDays - 1)).Format(time.DateOnly)
		req.end = today.Format(time.DateOnly)
	}
	// Repeated (channels=a&channels=b) or comma-separated (channels=a,b);
	// the database refuses codes it does not know.
	for _, v := range q["channels"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				req.channels = append(req.channels, c)
			}
		}
	}
	return req, nil
}

// handler serves exports in format fixed ("" to take it from the request).
//
// The rows stream from the database to the client as they arrive, one at a
// time; nothing holds the export in memory. The status is sent only when
// the first row (or the end of an empty result) has arrived, so everything
// the database refuses (a bad range, an unknown channel) is still a 400
// problem naming the parameter. Past that point the status is 200 and
// cannot change: if the database fails mid-stream, or a row cannot be
// written, the error is logged with the correlation id and the connection
// is aborted without the response's proper end (no final chunk), so the
// client sees a failed download rather than a file that looks complete but
// is short.
func (e exporter) handler(fixed export.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, p := parseExport(r, fixed)
		if p != nil {
			problem.Write(w, r, *p)
			return
		}
		token := tokenOf(r.Context())
		var start, end any
		if req.start != "" {
			start = req.start
		}
		if req.end != "" {
			end = req.end
		}
		// The query may take a while before its first row; the server's
		// write timeout must not cut the response off before it starts.
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Time{})

		rows, err := e.db.Query(r.Context(),
			`SELECT ledger_id::text, day::text, occurred_at, order_id, vendor, transaction_id, state, currency,
			        amount_minor, amount, net_amount, channel, event_id::text
			   FROM api.revenue_export($1, $2, $3, $4)`, token, start, end, req.channels)
		if err != nil {
			e.refuse(w, r, err)
			return
		}
		defer rows.Close()
		var row export.Row
		scan := func() error {
			return rows.Scan(&row.LedgerID, &row.Date, &row.OccurredAt, &row.OrderID, &row.Vendor,
				&row.TransactionID, &row.State, &row.Currency, &row.AmountMinor, &row.Amount, &row.NetAmount,
				&row.Channel, &row.EventID)
		}
		more := rows.Next()
		if !more {
			if err := rows.Err(); err != nil {
				e.refuse(w, r, err)
				return
			}
		}

		h := w.Header()
		h.Set("Content-Type", req.format.ContentType())
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="skeldir-revenue-%s_%s.%s"`,
			req.start, req.end, req.format))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		out, _ := export.NewWriter(req.format, w, export.Meta{GeneratedAt: time.Now(), Start: req.start, End: req.end})

		var n int64
		for ; more; more = rows.Next() {
			if n%exportDeadlineRows == 0 {
				rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
			}
			if err := scan(); err != nil {
				e.abort(r, req, n, "read", err)
			}
			if err := out.Write(&row); err != nil {
				e.abort(r, req, n, "write", err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			e.abort(r, req, n, "read", err)
		}
		if err := out.Close(); err != nil {
			e.abort(r, req, n, "write", err)
		}
		e.logger.Info("export sent", "correlation_id", correlation.FromContext(r.Context()),
			"claimed_tenant_id", claimedTenantOf(r.Context()), "format", string(req.format), "rows", n)
	}
}

// refuse answers an export the database refused before any row was sent.
func (e exporter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if !tokenRefused(err) {
		e.logger.Warn("export refused", "correlation_id", correlation.FromContext(r.Context()),
			"claimed_tenant_id", claimedTenantOf(r.Context()), "error", err)
	}
	writeDatabaseError(w, r, err)
}

// abort ends an export that failed after its status was sent: logged, and
// the connection dropped (http.ErrAbortHandler) so that the client cannot
// take the truncated body for the whole export.
func (e exporter) abort(r *http.Request, req exportRequest, rows int64, stage string, err error) {
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelWarn // the client went away; nothing is wrong here
	}
	e.logger.Log(r.Context(), level, "export aborted", "correlation_id", correlation.FromContext(r.Context()),
		"claimed_tenant_id", claimedTenantOf(r.Context()), "format", string(req.format), "rows_sent", rows,
		"stage", stage, "error", err)
	panic(http.ErrAbortHandler)
}
