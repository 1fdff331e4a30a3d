package database_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/skeldir/skeldir/internal/database"
	"github.com/skeldir/skeldir/internal/testdb"
)

func TestTransactionalRunsEachQueryInATransactionBlock(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t).Pool(t, testdb.Superuser)
	tr := database.Transactional{Pool: pool}

	// A cursor without hold exists only inside a transaction block: the
	// pool's own statement is refused, the wrapper's is not.
	declare := func(db interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}) error {
		rows, err := db.Query(ctx, "DECLARE c CURSOR FOR SELECT 1")
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}
	if err := declare(pool); err == nil || !strings.Contains(err.Error(), "transaction block") {
		t.Fatalf("DECLARE outside a block: got %v, want the server to refuse it", err)
	}
	if err := declare(tr); err != nil {
		t.Fatalf("DECLARE through Transactional: %v", err)
	}
}

func TestTransactionalCommitsWhatItRead(t *testing.T) {
	ctx := context.Background()
	pool := testdb.New(t).Pool(t, testdb.Superuser)
	tr := database.Transactional{Pool: pool}
	if _, err := pool.Exec(ctx, "CREATE TABLE probe (n int NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM probe").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	var one int
	if err := tr.QueryRow(ctx, "INSERT INTO probe VALUES (1) RETURNING n").Scan(&one); err != nil || one != 1 {
		t.Fatalf("QueryRow: %d, %v", one, err)
	}
	if got := count(); got != 1 {
		t.Fatalf("after QueryRow: %d rows committed, want 1", got)
	}

	rows, err := tr.Query(ctx, "INSERT INTO probe SELECT g FROM generate_series(1, 3) AS g RETURNING n")
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for rows.Next() {
		read++
	}
	if err := rows.Err(); err != nil || read != 3 {
		t.Fatalf("Query: read %d rows, %v", read, err)
	}
	if got := count(); got != 4 {
		t.Fatalf("after Query: %d rows committed, want 4", got)
	}

	// A statement that fails leaves nothing behind, and the connection is
	// free for the next call.
	if err := tr.QueryRow(ctx, "INSERT INTO probe VALUES (NULL) RETURNING n").Scan(&one); err == nil {
		t.Fatal("a NULL was accepted")
	}
	rows, err = tr.Query(ctx, "INSERT INTO probe SELECT CASE WHEN g < 3 THEN g END FROM generate_series(1, 3) AS g RETURNING n")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
	}
	if err == nil {
		t.Fatal("Query: a NULL was accepted")
	}
	if got := count(); got != 4 {
		t.Fatalf("after the failures: %d rows, want 4", got)
	}
}
