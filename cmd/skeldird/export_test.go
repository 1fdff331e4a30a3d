package main_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/skeldir/skeldir/internal/testdaemon"
	"github.com/skeldir/skeldir/internal/testdb"
)

const (
	exportRows     = 200_000
	exportRSSLimit = 50 << 20
	exportRange    = "start_date=2026-01-01&end_date=2026-03-31"
)

// seedExport books n ledger rows (each with its event) for tenant, one
// every 37 seconds from 2026-01-01: transaction ch_<i> of order
// <prefix><i>, in USD, JPY and BHD by turn, every tenth refunded, and
// order 7 named to trip up every format.
func seedExport(t *testing.T, db *testdb.DB, tenant, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Pool(t, testdb.Superuser).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The rows are made here, known PII-free and consistent: skip the
	// per-row triggers (PII guard, foreign keys), which would triple the
	// time this takes.
	if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := tx.Exec(ctx, `
WITH ev AS (
  INSERT INTO skeldir.attribution_events (tenant_id, id, idempotency_key, correlation_id, vendor, topic, event_type,
    external_id, order_id, revenue_cents, currency, channel, occurred_at, payload)
  SELECT $1::uuid, md5($1::uuid::text || i)::uuid, 'export-' || i, gen_random_uuid(), 'stripe', 'charge.succeeded',
         CASE WHEN i % 10 = 0 THEN 'refund' ELSE 'purchase' END::skeldir.event_type, 'ch_' || i,
         CASE WHEN i = 7 THEN E'=HYPERLINK("http://x"),\n<b>&amp;</b> café 東京 ' || $2::text || i ELSE $2::text || i END,
         i % 100000 + 1, (ARRAY['USD', 'JPY', 'BHD'])[i % 3 + 1],
         (ARRAY['email', 'organic', 'direct', 'facebook_paid', 'google_search_paid'])[i % 5 + 1],
         '2026-01-01 00:00Z'::timestamptz + i * interval '37 seconds', '{}'
    FROM generate_series(1, $3::int) AS i
  RETURNING tenant_id, id, external_id, order_id, revenue_cents, currency, occurred_at, event_type)
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency,
  event_id, occurred_at)
SELECT tenant_id, 'stripe', external_id,
       CASE WHEN event_type = 'refund' THEN 'refunded' ELSE 'captured' END::skeldir.ledger_state,
       order_id, revenue_cents, currency, id, occurred_at
  FROM ev`, tenant, prefix, n); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d bookings in %v", n, time.Since(start).Round(time.Millisecond))
}

// download GETs path into a file, sampling the daemon's resident memory
// while it streams. It returns the response, the file, and how far the
// daemon's memory rose above where it stood before the request.
func download(t *testing.T, d *testdaemon.Daemon, token, path string) (*http.Response, string, int64) {
	t.Helper()
	before, err := d.Memory()
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg      sync.WaitGroup
		stop    = make(chan struct{})
		sampled int64
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if m, err := d.Memory(); err == nil && m.RSS > sampled {
				sampled = m.RSS
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", d.BaseURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	file := filepath.Join(t.TempDir(), "export")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	size, err := io.Copy(f, resp.Body)
	f.Close()
	if err != nil {
		t.Fatalf("GET %s: body cut short after %d bytes: %v", path, size, err)
	}
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()

	after, err := d.Memory()
	if err != nil {
		t.Fatal(err)
	}
	// A new high-water mark was certainly reached during the export; if
	// there is none, the samples stand for the most it reached.
	most := sampled
	if after.Peak > before.Peak && after.Peak > most {
		most = after.Peak
	}
	growth := most - before.RSS
	t.Logf("GET %s: %d bytes in %v; daemon RSS %.1f MiB before, %.1f MiB at most during, %.1f MiB after (growth %.1f MiB)",
		path, size, elapsed.Round(time.Millisecond), mib(before.RSS), mib(most), mib(after.RSS), mib(growth))
	return resp, file, growth
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func TestExportOf200000RowsStreamsInConstantMemoryAndParsesBack(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	d := startAPI(t, db)
	a, b := createTenant(t, db, "Exporter A"), createTenant(t, db, "Exporter B")
	seedExport(t, db, a.ID, "A-", exportRows)
	seedExport(t, db, b.ID, "B-", 1000)
	token := userOf(t, db, a, "a@example.com").token

	// Warm the daemon's connection pool and code paths, so the baseline is
	// a daemon that has served an export.
	for _, f := range []string{"csv", "json", "xlsx"} {
		if resp, _, _ := download(t, d, token, "/api/export/revenue?format="+f+"&start_date=2026-01-01&end_date=2026-01-01"); resp.StatusCode != 200 {
			t.Fatalf("warm-up %s: %d", f, resp.StatusCode)
		}
	}

	// The rows the export must reproduce exactly, worked out here rather
	// than read from the database: ch_7 (JPY, its order id awkward), ch_20
	// (a BHD refund, three decimals, negative net) and ch_123456 (USD).
	spot := map[string]map[string]string{
		"ch_7": {"order_id": "=HYPERLINK(\"http://x\"),\n<b>&amp;</b> café 東京 A-7", "currency": "JPY", "state": "captured",
			"amount_minor": "8", "amount": "8", "net_amount": "8", "channel": "direct", "date": "2026-01-01",
			"occurred_at": "2026-01-01T00:04:19Z", "vendor": "stripe"},
		"ch_20": {"order_id": "A-20", "currency": "BHD", "state": "refunded", "amount_minor": "21", "amount": "0.021",
			"net_amount": "-0.021", "channel": "email", "date": "2026-01-01", "occurred_at": "2026-01-01T00:12:20Z"},
		"ch_123456": {"order_id": "A-123456", "currency": "USD", "state": "captured", "amount_minor": "23457",
			"amount": "234.57", "net_amount": "234.57", "channel": "organic", "date": "2026-02-22",
			"occurred_at": "2026-02-22T20:51:12Z"},
	}
	// Every row k is transaction ch_k: the order is time order, nothing is
	// missing or repeated, and no row of tenant B's is among them.
	checkRow := func(format string, k int, get func(column string) string, raw func(column string) string) {
		if got, want := get("transaction_id"), fmt.Sprintf("ch_%d", k); got != want {
			t.Fatalf("%s row %d is %s, want %s", format, k, got, want)
		}
		if !strings.Contains(get("order_id"), "A-") {
			t.Fatalf("%s row %d belongs to tenant B", format, k)
		}
		for column, want := range spot[get("transaction_id")] {
			if got := raw(column); got != want {
				t.Errorf("%s %s %s: got %q, want %q", format, get("transaction_id"), column, got, want)
			}
		}
	}

	t.Run("csv", func(t *testing.T) {
		resp, file, growth := download(t, d, token, "/api/export/csv?"+exportRange)
		expectAttachment(t, resp, "text/csv; charset=utf-8", "skeldir-revenue-2026-01-01_2026-03-31.csv")
		if growth >= exportRSSLimit {
			t.Errorf("the daemon's memory grew by %.1f MiB during the export (limit %d MiB)", mib(growth), exportRSSLimit>>20)
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.ReuseRecord = true
		header, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, name := range header {
			col[name] = i
		}
		k := 0
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("parse the CSV after %d rows: %v", k, err)
			}
			k++
			get := func(c string) string { return rec[col[c]] }
			checkRow("csv", k, get, func(c string) string {
				if c == "order_id" && strings.HasPrefix(rec[col[c]], "'=") {
					return rec[col[c]][1:] // the formula guard, checked below
				}
				return get(c)
			})
			if k == 7 && !strings.HasPrefix(get("order_id"), "'=HYPERLINK") {
				t.Errorf("csv: a leading = is not neutralised: %q", get("order_id"))
			}
		}
		if k != exportRows {
			t.Errorf("csv: %d rows, want %d", k, exportRows)
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		resp, file, growth := download(t, d, token, "/api/export/revenue?format=xlsx&"+exportRange)
		expectAttachment(t, resp, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"skeldir-revenue-2026-01-01_2026-03-31.xlsx")
		if growth >= exportRSSLimit {
			t.Errorf("the daemon's memory grew by %.1f MiB during the export (limit %d MiB)", mib(growth), exportRSSLimit>>20)
		}
		// excelize reads the rows back as they stream out of the zip.
		f, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatalf("open the workbook: %v", err)
		}
		defer f.Close()
		k := -1 // the header
		col := map[string]int{}
		for _, sheet := range f.GetSheetList() {
			rows, err := f.Rows(sheet)
			if err != nil {
				t.Fatalf("sheet %s: %v", sheet, err)
			}
			for rows.Next() {
				cells, err := rows.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatalf("sheet %s after %d rows: %v", sheet, k, err)
				}
				if k++; k == 0 {
					for i, c := range cells {
						col[c] = i
					}
					continue
				}
				get := func(c string) string { return cells[col[c]] }
				checkRow("xlsx", k, get, get)
			}
			if err := rows.Error(); err != nil {
				t.Fatalf("sheet %s after %d rows: %v", sheet, k, err)
			}
			rows.Close()
		}
		if k != exportRows {
			t.Errorf("xlsx: %d rows, want %d", k, exportRows)
		}

		// Cell types need excelize's whole-sheet model (2 GB for the sheet
		// above): they are checked on every row of one day's export.
		_, dayFile, _ := download(t, d, token, "/api/export/revenue?format=xlsx&start_date=2026-01-01&end_date=2026-01-01")
		day, err := excelize.OpenFile(dayFile)
		if err != nil {
			t.Fatalf("open the day's workbook: %v", err)
		}
		defer day.Close()
		dayRows, err := day.GetRows("Revenue")
		if err != nil || len(dayRows) < 1000 {
			t.Fatalf("the day's workbook: %d rows (%v)", len(dayRows), err)
		}
		for r := 2; r <= len(dayRows); r++ {
			amount, _ := day.GetCellType("Revenue", cellName(col["net_amount"], r))
			id, _ := day.GetCellType("Revenue", cellName(col["order_id"], r))
			if amount != excelize.CellTypeNumber && amount != excelize.CellTypeUnset || id != excelize.CellTypeInlineString {
				t.Fatalf("xlsx row %d: amounts must be numeric cells and ids text (types %v, %v)", r-1, amount, id)
			}
		}
	})

	t.Run("tenant B sees only its own rows", func(t *testing.T) {
		resp, body := d.Do(t, "GET", "/api/export/json?"+exportRange, nil,
			map[string]string{"Authorization": "Bearer " + userOf(t, db, b, "b@example.com").token})
		var doc struct {
			DateRange struct{ Start, End string } `json:"date_range"`
			Data      []map[string]any            `json:"data"`
			RowCount  int                         `json:"row_count"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		if len(doc.Data) != 1000 || doc.RowCount != 1000 || doc.DateRange.Start != "2026-01-01" || doc.DateRange.End != "2026-03-31" {
			t.Fatalf("%d rows (row_count %d), range %+v", len(doc.Data), doc.RowCount, doc.DateRange)
		}
		for _, row := range doc.Data {
			if id, _ := row["order_id"].(string); !strings.Contains(id, "B-") || strings.Contains(id, "A-") {
				t.Fatalf("tenant B's export holds %v", row)
			}
		}
	})
}

func expectAttachment(t *testing.T, resp *http.Response, contentType, filename string) {
	t.Helper()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != contentType ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="`+filename+`"` {
		t.Errorf("got %d, Content-Type %q, Content-Disposition %q; want 200, %q, attachment %q", resp.StatusCode,
			resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), contentType, filename)
	}
}

func TestExportRefusesBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	d := startAPI(t, db)
	a := createTenant(t, db, "Exporter")
	auth := map[string]string{"Authorization": "Bearer " + userOf(t, db, a, "a@example.com").token}

	cases := []struct{ path, field string }{
		{"/api/export/revenue?format=pdf", "format"},
		{"/api/export/revenue?format=", "format"},
		{"/api/export/csv?format=json", "format"},
		{"/api/export/revenue?start_date=2026-13-01&end_date=2026-12-31", "start_date"},
		{"/api/export/excel?start_date=2026-01-01&end_date=yesterday", "end_date"},
		{"/api/export/json?start_date=&end_date=2026-01-01", "start_date"},
		{"/api/export/revenue?start_date=2026-01-01", "end_date"},
		{"/api/export/revenue?end_date=2026-01-01", "start_date"},
		{"/api/export/revenue?start_date=2026-02-01&end_date=2026-01-01", "start_date"},
		{"/api/export/csv?start_date=2024-01-01&end_date=2026-01-01", "end_date"},
		{"/api/export/revenue?format=xlsx&" + exportRange + "&channels=email,myspace", "channels"},
	}
	for _, c := range cases {
		resp, body := d.Do(t, "GET", c.path, nil, auth)
		var p struct {
			Status int
			Field  string
			Errors []struct{ Field string }
		}
		json.Unmarshal(body, &p)
		named := p.Field == c.field
		for _, e := range p.Errors {
			named = named || e.Field == c.field
		}
		if resp.StatusCode != 400 || p.Status != 400 || resp.Header.Get("Content-Type") != "application/problem+json" || !named {
			t.Errorf("GET %s: %d %s %s; want a 400 problem naming %s", c.path, resp.StatusCode,
				resp.Header.Get("Content-Type"), body, c.field)
		}
	}

	if resp, _ := d.Do(t, "GET", "/api/export/csv", nil, nil); resp.StatusCode != 401 {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}

	// The format paths take no parameters: the last 30 days, up to today.
	resp, body := d.Do(t, "GET", "/api/export/json", nil, auth)
	var doc struct {
		GeneratedAt string                      `json:"generated_at"`
		DateRange   struct{ Start, End string } `json:"date_range"`
		Data        []any                       `json:"data"`
	}
	today := time.Now().UTC()
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 || doc.Data == nil ||
		doc.DateRange.End != today.Format(time.DateOnly) ||
		doc.DateRange.Start != today.AddDate(0, 0, -29).Format(time.DateOnly) || doc.GeneratedAt == "" {
		t.Errorf("GET /api/export/json: %d %s (%v)", resp.StatusCode, body, err)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="skeldir-revenue-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
}

// cellName is the reference of zero-based column c in row r (from 1).
func cellName(c, r int) string {
	name, _ := excelize.CoordinatesToCellName(c+1, r)
	return name
}
