// Package export writes revenue exports as CSV, JSON and XLSX, one row at a
// time: a writer holds at most one row and a few fixed-size buffers, so an
// export of any length streams from the database to the client in constant
// memory.
//
// What a client sees when an export fails part way is the caller's business
// (internal/dispatch aborts the response, so the download is visibly cut
// short); these writers only promise that a document they have Closed is
// complete and valid.
package export

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Row is one ledger booking of a revenue export, as api.revenue_export
// returns it.
type Row struct {
	LedgerID      string
	Date          string // UTC day of OccurredAt, YYYY-MM-DD
	OccurredAt    time.Time
	OrderID       string
	Vendor        string
	TransactionID string
	State         string // captured, refunded or chargeback
	Currency      string
	AmountMinor   int64  // as booked, never negative
	Amount        string // AmountMinor as a decimal at the currency's exponent, e.g. "129.99"
	NetAmount     string // Amount, negative for refunds and chargebacks
	Channel       string
	EventID       string
}

// Kind is how a column's values are typed in formats that type them.
type Kind int

const (
	// Text values are strings, written as given (CSV neutralises formulas).
	Text Kind = iota
	// Number values are decimal numbers the database formatted.
	Number
)

// Column is one column of an export, in the order the formats write them.
type Column struct {
	Name string
	Kind Kind
}

// Columns are the export's columns, in order.
var Columns = []Column{
	{"date", Text}, {"occurred_at", Text}, {"order_id", Text}, {"vendor", Text}, {"transaction_id", Text},
	{"state", Text}, {"currency", Text}, {"amount_minor", Number}, {"amount", Number}, {"net_amount", Number},
	{"channel", Text}, {"event_id", Text}, {"ledger_id", Text},
}

// values appends r's values, in the order of Columns, to dst.
func (r *Row) values(dst []string) []string {
	return append(dst, r.Date, r.OccurredAt.UTC().Format(time.RFC3339Nano), r.OrderID, r.Vendor, r.TransactionID,
		r.State, r.Currency, strconv.FormatInt(r.AmountMinor, 10), r.Amount, r.NetAmount, r.Channel, r.EventID,
		r.LedgerID)
}

// Format is an export file format.
type Format string

const (
	CSV  Format = "csv"
	JSON Format = "json"
	XLSX Format = "xlsx"
)

// ParseFormat returns the format named s, or false.
func ParseFormat(s string) (Format, bool) {
	switch f := Format(s); f {
	case CSV, JSON, XLSX:
		return f, true
	}
	return "", false
}

// ContentType is the media type of f.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Meta describes an export as a whole; the JSON format writes it.
type Meta struct {
	GeneratedAt time.Time
	Start, End  string // the date range, YYYY-MM-DD
}

// Writer writes an export one row at a time.
type Writer interface {
	// Write appends one row.
	Write(r *Row) error
	// Close completes the document and flushes it; it does not close the
	// underlying io.Writer.
	Close() error
}

// NewWriter returns a Writer of format f to w. It writes nothing until the
// first Write or Close.
func NewWriter(f Format, w io.Writer, m Meta) (Writer, error) {
	switch f {
	case CSV:
		return NewCSV(w), nil
	case JSON:
		return NewJSON(w, m), nil
	case XLSX:
		return NewXLSX(w), nil
	}
	return nil, fmt.Errorf("export: unknown format %q", f)
}
