package database

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Transactional runs each query in a transaction block of its own: BEGIN,
// the query, then COMMIT once its rows are read, or ROLLBACK when it fails.
//
// A single statement needs no block on one PostgreSQL server. On Citus it
// does: the tenant context is set with SET LOCAL inside the SQL functions,
// and Citus carries a transaction's SET LOCAL commands to the workers only
// when the transaction is a block; a read outside one asks the shards
// without them, and their row-level security then sees no tenant. Every
// call the daemon makes on behalf of a tenant goes through it.
type Transactional struct {
	Pool *pgxpool.Pool
}

// QueryRow runs sql in a transaction of its own when the row is scanned.
func (t Transactional) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return transactionalRow{ctx: ctx, pool: t.Pool, sql: sql, args: args}
}

// Query begins a transaction and runs sql in it; the transaction commits
// when the rows are read to the end without an error (or closed after
// that), and rolls back otherwise.
func (t Transactional) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	tx, err := t.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return &transactionalRows{Rows: rows, ctx: ctx, tx: tx}, nil
}

type transactionalRow struct {
	ctx  context.Context
	pool *pgxpool.Pool
	sql  string
	args []any
}

func (r transactionalRow) Scan(dest ...any) error {
	return pgx.BeginFunc(r.ctx, r.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
	})
}

// transactionalRows ends its transaction when the rows end, at the last
// Next or at Close, whichever comes first (callers check Err after).
type transactionalRows struct {
	pgx.Rows
	ctx   context.Context
	tx    pgx.Tx
	ended bool
	err   error // the commit's, or the rollback's after a failed read
}

func (r *transactionalRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.end()
	return false
}

func (r *transactionalRows) Close() {
	r.end()
}

func (r *transactionalRows) Err() error {
	return errors.Join(r.Rows.Err(), r.err)
}

func (r *transactionalRows) end() {
	if r.ended {
		return
	}
	r.ended = true
	r.Rows.Close()
	if r.Rows.Err() != nil {
		_ = r.tx.Rollback(r.ctx)
		return
	}
	r.err = r.tx.Commit(r.ctx)
}
