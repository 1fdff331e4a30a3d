package export

import (
	"encoding/csv"
	"io"
)

// CSVWriter writes CSV as RFC 4180 quotes it, with a header row, in UTF-8
// without a byte order mark, records ending in LF. Not CRLF: encoding/csv's
// CRLF mode drops a carriage return inside a value, and values are written
// byte for byte (a quoted value may hold CR and LF).
//
// Formula injection: spreadsheets run a cell that starts with = + - or @ (and
// some also one starting with a tab or carriage return) as a formula, and the
// text columns carry values webhook senders chose (order and transaction
// ids). Such a text value is written with a leading apostrophe, which
// spreadsheets show as text and do not evaluate (the OWASP recommendation).
// Number columns are never altered: the database formatted them, and a
// negative net_amount must stay a number. Only CSV needs this: the XLSX
// writer stores text as inline strings, which are never formulas, and JSON
// is not evaluated.
type CSVWriter struct {
	w       *csv.Writer
	started bool
	record  []string
}

// NewCSV returns a CSVWriter to w.
func NewCSV(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w), record: make([]string, 0, len(Columns))}
}

func (c *CSVWriter) header() error {
	c.started = true
	names := make([]string, len(Columns))
	for i, col := range Columns {
		names[i] = col.Name
	}
	return c.w.Write(names)
}

// Write appends r as one record.
func (c *CSVWriter) Write(r *Row) error {
	if !c.started {
		if err := c.header(); err != nil {
			return err
		}
	}
	c.record = r.values(c.record[:0])
	for i, col := range Columns {
		if col.Kind == Text {
			c.record[i] = NeutraliseFormula(c.record[i])
		}
	}
	return c.w.Write(c.record)
}

// Close writes the header if no row came, and flushes.
func (c *CSVWriter) Close() error {
	if !c.started {
		if err := c.header(); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// NeutraliseFormula returns s with a leading apostrophe when a spreadsheet
// would otherwise evaluate it as a formula.
func NeutraliseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
