package export

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// JSONWriter writes the contract's ExportData document,
//
//	{"generated_at": ..., "date_range": {"start": ..., "end": ...}, "data": [row, ...], "row_count": n}
//
// streaming the data array one element at a time. Each element has the
// columns of Columns (amount_minor a number, amount and net_amount exact
// decimal strings) plus the contract's revenue: net_amount as a JSON number.
type JSONWriter struct {
	w       *bufio.Writer
	enc     *json.Encoder
	meta    Meta
	started bool
	rows    int64
}

type jsonRow struct {
	Date          string      `json:"date"`
	OccurredAt    string      `json:"occurred_at"`
	OrderID       string      `json:"order_id"`
	Vendor        string      `json:"vendor"`
	TransactionID string      `json:"transaction_id"`
	State         string      `json:"state"`
	Currency      string      `json:"currency"`
	AmountMinor   int64       `json:"amount_minor"`
	Amount        string      `json:"amount"`
	NetAmount     string      `json:"net_amount"`
	Revenue       json.Number `json:"revenue"`
	Channel       string      `json:"channel"`
	EventID       string      `json:"event_id"`
	LedgerID      string      `json:"ledger_id"`
}

// NewJSON returns a JSONWriter to w describing the export as m.
func NewJSON(w io.Writer, m Meta) *JSONWriter {
	b := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	return &JSONWriter{w: b, enc: enc, meta: m}
}

func (j *JSONWriter) head() error {
	j.started = true
	head := struct {
		GeneratedAt string            `json:"generated_at"`
		DateRange   map[string]string `json:"date_range"`
	}{j.meta.GeneratedAt.UTC().Format(time.RFC3339), map[string]string{"start": j.meta.Start, "end": j.meta.End}}
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	// The object stays open: its last member is the data array.
	j.w.Write(b[:len(b)-1])
	_, err = j.w.WriteString(`,"data":[`)
	return err
}

// Write appends r to the data array.
func (j *JSONWriter) Write(r *Row) error {
	if !j.started {
		if err := j.head(); err != nil {
			return err
		}
	}
	if j.rows > 0 {
		j.w.WriteByte(',')
	}
	j.rows++
	return j.enc.Encode(jsonRow{
		Date: r.Date, OccurredAt: r.OccurredAt.UTC().Format(time.RFC3339Nano), OrderID: r.OrderID, Vendor: r.Vendor,
		TransactionID: r.TransactionID, State: r.State, Currency: r.Currency, AmountMinor: r.AmountMinor,
		Amount: r.Amount, NetAmount: r.NetAmount, Revenue: json.Number(r.NetAmount), Channel: r.Channel,
		EventID: r.EventID, LedgerID: r.LedgerID,
	})
}

// Close ends the data array and the document, and flushes.
func (j *JSONWriter) Close() error {
	if !j.started {
		if err := j.head(); err != nil {
			return err
		}
	}
	j.w.WriteString(`],"row_count":` + strconv.FormatInt(j.rows, 10) + "}\n")
	return j.w.Flush()
}
