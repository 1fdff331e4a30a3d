package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// awkward are rows whose text a naive writer would break: delimiters,
// quotes, line breaks, markup, non-ASCII, leading spaces and formula
// triggers.
func awkward() []Row {
	at := time.Date(2026, 3, 2, 12, 0, 0, 123456000, time.UTC)
	base := Row{LedgerID: "11111111-0000-0000-0000-000000000001", Date: "2026-03-02", OccurredAt: at,
		Vendor: "shopify", State: "captured", Currency: "USD", AmountMinor: 12999, Amount: "129.99",
		NetAmount: "129.99", Channel: "email", EventID: "eeeeeeee-0000-0000-0000-000000000001"}
	ids := []string{
		`plain`,
		`a,b,"quoted", and more`,
		"two\nlines\r\nand a CR\ronly",
		`<tag attr="x">&amp; & </tag>`,
		"unicode: café, 東京, עברית, 🧾, \u00a0nbsp",
		"  leading and trailing spaces  ",
		"=HYPERLINK(\"http://evil\",\"x\")",
		"+1+2",
		"-3",
		"@SUM(A1:A2)",
		"\tTAB first",
		"'already quoted",
		"",
	}
	rows := make([]Row, len(ids))
	for i, id := range ids {
		r := base
		r.OrderID = id
		r.TransactionID = "tx-" + id
		rows[i] = r
	}
	refund := base
	refund.OrderID, refund.TransactionID, refund.State = "ord-refund", "re_1", "refunded"
	refund.AmountMinor, refund.Amount, refund.NetAmount = 2500, "25.00", "-25.00"
	yen := base
	yen.OrderID, yen.TransactionID, yen.Currency, yen.AmountMinor, yen.Amount, yen.NetAmount = "ord-yen", "y_1", "JPY", 1500, "1500", "1500"
	return append(rows, refund, yen)
}

func write(t *testing.T, f Format, rows []Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(f, &buf, Meta{GeneratedAt: time.Date(2026, 3, 5, 1, 2, 3, 0, time.UTC), Start: "2026-03-01", End: "2026-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func names() []string {
	n := make([]string, len(Columns))
	for i, c := range Columns {
		n[i] = c.Name
	}
	return n
}

func TestCSVRoundTripsAwkwardTextAndNeutralisesFormulas(t *testing.T) {
	rows := awkward()
	out := write(t, CSV, rows)
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	if len(records) != len(rows)+1 {
		t.Fatalf("%d records for %d rows", len(records), len(rows))
	}
	if got := strings.Join(records[0], ","); got != strings.Join(names(), ",") {
		t.Errorf("header %q", got)
	}
	for i, r := range rows {
		want := r.values(nil)
		for j, c := range Columns {
			if c.Kind == Text {
				want[j] = NeutraliseFormula(want[j])
			}
			// encoding/csv's reader (not the file) turns CRLF inside a
			// quoted value into LF.
			want[j] = strings.ReplaceAll(want[j], "\r\n", "\n")
		}
		if fmt.Sprint(records[i+1]) != fmt.Sprint(want) {
			t.Errorf("row %d:\n got %q\nwant %q", i, records[i+1], want)
		}
	}
	// Spelled out, so the rule is visible here and not only in the code.
	byOrder := map[string][]string{}
	for _, rec := range records[1:] {
		byOrder[rec[2]] = rec
	}
	for _, id := range []string{`'=HYPERLINK("http://evil","x")`, "'+1+2", "'-3", "'@SUM(A1:A2)", "'\tTAB first", "'already quoted"} {
		if _, ok := byOrder[id]; !ok {
			t.Errorf("no record with order_id %q", id)
		}
	}
	if rec := byOrder["ord-refund"]; rec == nil || rec[9] != "-25.00" {
		t.Errorf("a negative net_amount is a number, not neutralised: %q", rec)
	}
	if !bytes.Contains(out, []byte("\"two\nlines\r\nand a CR\ronly\"")) {
		t.Errorf("line breaks inside a value are not written byte for byte:\n%s", out)
	}
}

func TestCSVOfNoRowsIsTheHeader(t *testing.T) {
	if got, want := string(write(t, CSV, nil)), strings.Join(names(), ",")+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

type jsonDoc struct {
	GeneratedAt string `json:"generated_at"`
	DateRange   struct {
		Start, End string
	} `json:"date_range"`
	Data     []map[string]any `json:"data"`
	RowCount int              `json:"row_count"`
}

func TestJSONRoundTripsAwkwardTextExactly(t *testing.T) {
	rows := awkward()
	out := write(t, JSON, rows)
	var doc jsonDoc
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	d.DisallowUnknownFields()
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	if doc.GeneratedAt != "2026-03-05T01:02:03Z" || doc.DateRange.Start != "2026-03-01" || doc.DateRange.End != "2026-03-31" {
		t.Errorf("head: %+v", doc)
	}
	if len(doc.Data) != len(rows) || doc.RowCount != len(rows) {
		t.Fatalf("%d elements, row_count %d, for %d rows", len(doc.Data), doc.RowCount, len(rows))
	}
	for i, r := range rows {
		got := doc.Data[i]
		values := r.values(nil)
		for j, c := range Columns {
			want := any(values[j])
			if c.Name == "amount_minor" {
				want = json.Number(values[j])
			}
			if got[c.Name] != want {
				t.Errorf("row %d %s: got %#v, want %#v", i, c.Name, got[c.Name], want)
			}
		}
		if got["revenue"] != json.Number(r.NetAmount) {
			t.Errorf("row %d revenue: got %#v, want the number %s", i, got["revenue"], r.NetAmount)
		}
	}
}

func TestJSONOfNoRowsHasAnEmptyDataArray(t *testing.T) {
	var doc jsonDoc
	out := write(t, JSON, nil)
	if err := json.Unmarshal(out, &doc); err != nil || doc.Data == nil || len(doc.Data) != 0 || doc.RowCount != 0 {
		t.Errorf("got %s (%v)", out, err)
	}
}

// cell is one cell as excelize reads it back.
type cell struct {
	Value  string
	Number bool // a numeric cell (t="n", or no t, which means n)
	Bold   bool // its style's font is bold
}

// readXLSX opens a workbook with excelize, an implementation that shares
// nothing with the writer, and returns its sheets in workbook order and
// the cells of their rows, one after the other.
func readXLSX(t *testing.T, out []byte) (sheets []string, rows [][]cell) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	sheets = f.GetSheetList()
	for _, sheet := range sheets {
		values, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		for r, row := range values {
			cells := make([]cell, len(row))
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(sheet, ref)
				if err != nil {
					t.Fatalf("%s!%s: %v", sheet, ref, err)
				}
				idx, err := f.GetCellStyle(sheet, ref)
				if err != nil {
					t.Fatalf("%s!%s: %v", sheet, ref, err)
				}
				style, err := f.GetStyle(idx)
				if err != nil {
					t.Fatalf("%s!%s style %d: %v", sheet, ref, idx, err)
				}
				cells[c] = cell{Value: v, Number: typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset,
					Bold: style.Font != nil && style.Font.Bold}
			}
			rows = append(rows, cells)
		}
	}
	return sheets, rows
}

func checkHeader(t *testing.T, cells []cell) {
	t.Helper()
	for j, name := range names() {
		if j >= len(cells) || cells[j].Value != name || cells[j].Number || !cells[j].Bold {
			t.Errorf("header cell %d: %+v, want bold text %q", j, cells, name)
			return
		}
	}
}

func TestXLSXRoundTripsAwkwardTextAsTextAndAmountsAsNumbers(t *testing.T) {
	rows := awkward()
	// A character XML cannot carry at all.
	rows[0].OrderID = "bell\x07here"
	sheets, got := readXLSX(t, write(t, XLSX, rows))
	if fmt.Sprint(sheets) != "[Revenue]" || len(got) != len(rows)+1 {
		t.Fatalf("sheets %v with %d rows for %d", sheets, len(got), len(rows))
	}
	checkHeader(t, got[0])
	for i, r := range rows {
		values := r.values(nil)
		if i == 0 {
			values[2] = "bell\uFFFDhere"
		}
		for j, c := range Columns {
			cell := got[i+1][j]
			if cell.Value != values[j] || cell.Number != (c.Kind == Number) || cell.Bold {
				t.Errorf("row %d %s: got %+v, want %q (number: %v)", i, c.Name, cell, values[j], c.Kind == Number)
			}
		}
	}
}

func TestXLSXContinuesOnANewSheetPastTheRowLimit(t *testing.T) {
	rows := awkward()[:5]
	var buf bytes.Buffer
	x := NewXLSX(&buf)
	x.maxSheetRows = 3 // a header and two rows
	for i := range rows {
		if err := x.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	sheets, got := readXLSX(t, buf.Bytes())
	if fmt.Sprint(sheets) != "[Revenue Revenue 2 Revenue 3]" || len(got) != 8 {
		t.Fatalf("sheets %v, %d rows", sheets, len(got))
	}
	var orders []string
	for i, cells := range got {
		if i == 0 || i == 3 || i == 6 {
			checkHeader(t, cells)
			continue
		}
		orders = append(orders, cells[2].Value)
	}
	for i, r := range rows {
		if orders[i] != r.OrderID {
			t.Errorf("row %d: %q, want %q", i, orders[i], r.OrderID)
		}
	}
}

func TestXLSXOfNoRowsIsASheetWithTheHeader(t *testing.T) {
	sheets, got := readXLSX(t, write(t, XLSX, nil))
	if len(sheets) != 1 || len(got) != 1 {
		t.Fatalf("sheets %v, %d rows", sheets, len(got))
	}
	checkHeader(t, got[0])
}

// The writers stream: the heap after 200,000 rows is what it was after 1,000,
// give or take the writers' fixed buffers.
func TestWritersHoldNoRowsInMemory(t *testing.T) {
	row := awkward()[1]
	for _, f := range []Format{CSV, JSON, XLSX} {
		t.Run(string(f), func(t *testing.T) {
			var n countingDiscard
			w, err := NewWriter(f, &n, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			for i := 0; i < 1000; i++ {
				w.Write(&row)
			}
			before := heap()
			for i := 0; i < 199000; i++ {
				if err := w.Write(&row); err != nil {
					t.Fatal(err)
				}
			}
			after := heap()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if after > before+1<<20 {
				t.Errorf("heap grew from %d to %d bytes while %d bytes went out", before, after, n)
			}
		})
	}
}

type countingDiscard int64

func (c *countingDiscard) Write(p []byte) (int, error) {
	*c += countingDiscard(len(p))
	return io.Discard.Write(p)
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"csv", "json", "xlsx"} {
		if f, ok := ParseFormat(s); !ok || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, ok)
		}
	}
	for _, s := range []string{"", "CSV", "excel", "xls", "pdf"} {
		if _, ok := ParseFormat(s); ok {
			t.Errorf("ParseFormat(%q) accepted", s)
		}
	}
}
