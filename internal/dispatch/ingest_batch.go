package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A webhook delivery on its way to api.ingest_webhook, and where its answer
// goes.
type delivery struct {
	vendor, route string
	headers       []byte // JSON object of the headers SQL reads
	body          []byte
	requestID     string
	answer        chan ingestAnswer
}

type ingestAnswer struct {
	status   int
	outcome  string
	response json.RawMessage
	err      error
}

// ingestBatcher is group commit for webhooks. Deliveries that arrive while
// the database is busy with earlier ones wait in a queue; each worker (one
// per pooled connection) takes everything waiting, up to maxBatch, into one
// call of api.ingest_webhooks, so one transaction's fixed cost is shared. An
// idle server sends each delivery alone at once: batching adds no delay.
// Each delivery is still decided by SQL on its own, and answered only after
// the transaction holding it committed.
type ingestBatcher struct {
	db       DB
	queue    chan *delivery
	maxBatch int
}

// dbTimeout bounds one call: deliveries are not tied to their requests'
// contexts, since one sender hanging up must not abort another's commit.
const dbTimeout = 30 * time.Second

func newIngestBatcher(ctx context.Context, db DB, workers, maxBatch int) *ingestBatcher {
	b := &ingestBatcher{db: db, queue: make(chan *delivery), maxBatch: maxBatch}
	for i := 0; i < workers; i++ {
		go b.work(ctx)
	}
	return b
}

// submit queues d and waits for its answer.
func (b *ingestBatcher) submit(ctx context.Context, d *delivery) ingestAnswer {
	d.answer = make(chan ingestAnswer, 1)
	select {
	case b.queue <- d:
	case <-ctx.Done():
		return ingestAnswer{err: ctx.Err()}
	}
	return <-d.answer
}

func (b *ingestBatcher) work(ctx context.Context) {
	batch := make([]*delivery, 0, b.maxBatch)
	for {
		select {
		case d := <-b.queue:
			batch = append(batch[:0], d)
		case <-ctx.Done():
			return
		}
	drain:
		for len(batch) < b.maxBatch {
			select {
			case d := <-b.queue:
				batch = append(batch, d)
			default:
				break drain
			}
		}
		b.ingest(batch)
	}
}

// ingest decides a batch in one transaction. If the database refuses the
// batch (a deadlock between batches, or a bug one delivery triggers), nothing
// of it committed, and each delivery is retried alone so that only a delivery
// that fails by itself fails.
func (b *ingestBatcher) ingest(batch []*delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	if len(batch) > 1 {
		answers, err := b.ingestTogether(ctx, batch)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) {
			for i, d := range batch {
				if err != nil {
					d.answer <- ingestAnswer{err: err}
				} else {
					d.answer <- answers[i]
				}
			}
			return
		}
	}
	for _, d := range batch {
		var a ingestAnswer
		a.err = b.db.QueryRow(ctx,
			"SELECT http_status, outcome, response FROM api.ingest_webhook($1, $2, $3, $4, $5)",
			d.vendor, d.route, d.headers, d.body, d.requestID,
		).Scan(&a.status, &a.outcome, &a.response)
		d.answer <- a
	}
}

func (b *ingestBatcher) ingestTogether(ctx context.Context, batch []*delivery) ([]ingestAnswer, error) {
	n := len(batch)
	vendors, routes, requestIDs := make([]string, n), make([]string, n), make([]string, n)
	headers, bodies := make([][]byte, n), make([][]byte, n)
	for i, d := range batch {
		vendors[i], routes[i], headers[i], bodies[i], requestIDs[i] = d.vendor, d.route, d.headers, d.body, d.requestID
	}
	rows, err := b.db.Query(ctx,
		"SELECT http_status, outcome, response FROM api.ingest_webhooks($1, $2, $3::jsonb[], $4, $5::uuid[])",
		vendors, routes, headers, bodies, requestIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	answers := make([]ingestAnswer, 0, n)
	for rows.Next() {
		var a ingestAnswer
		if err := rows.Scan(&a.status, &a.outcome, &a.response); err != nil {
			return nil, err
		}
		answers = append(answers, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(answers) != n {
		return nil, fmt.Errorf("api.ingest_webhooks answered %d of %d deliveries", len(answers), n)
	}
	return answers, nil
}
