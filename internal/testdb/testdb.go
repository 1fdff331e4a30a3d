// Package testdb gives each integration test a database of its own, cloned
// from the migrated template that `make test` builds, and dropped when the
// test ends. Tests therefore run in parallel and never see each other's rows.
//
// The harness is configured by `make test` through the environment:
// SKELDIR_TEST_SUPERUSER_URL (a superuser connection, its password in
// PGPASSFILE) and SKELDIR_TEST_TEMPLATE (the template's name). Without them
// a test fails: a missing database is a broken run, not a reason to skip.
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Login roles that `make test` creates, one per group role.
const (
	Superuser = "postgres"
	API       = "skeldird_api"
	Worker    = "skeldird_worker"
	Admin     = "skeldird_admin"
	// Feed is the change feed's login role: LOGIN REPLICATION and nothing
	// else (a member of no role), given as FEED_DATABASE_URL.
	Feed     = "skeldird_feed"
	ReadOnly = "skeldird_readonly"
)

// DB is one test's database.
type DB struct {
	Name string
	base *url.URL

	mu    sync.Mutex
	pools map[string]*pgxpool.Pool
}

var seq atomic.Int64

// New clones the template into a fresh database for t. With
// SKELDIR_TEST_DATABASE set, it gives that database as it is, and drops
// nothing: on Citus (make test-citus) a clone would hold the coordinator's
// tables only, not the workers' shards, so the tests that run there share
// the one distributed database, each in tenants of its own.
func New(t testing.TB) *DB {
	t.Helper()
	base, template := env(t)
	if name := os.Getenv("SKELDIR_TEST_DATABASE"); name != "" {
		return &DB{Name: name, base: base}
	}
	return create(t, "t", "TEMPLATE "+pgx.Identifier{template}.Sanitize())
}

// NewWALReplica clones the template on the second cluster `make test`
// starts, whose wal_level is replica: no logical decoding, so the change feed
// must fall back (SKELDIR_TEST_REPLICA_SUPERUSER_URL).
func NewWALReplica(t testing.TB) *DB {
	t.Helper()
	_, template := env(t)
	return createOn(t, clusterURL(t, "SKELDIR_TEST_REPLICA_SUPERUSER_URL"), "r", "TEMPLATE "+pgx.Identifier{template}.Sanitize())
}

// NewCrashable clones the template on the third cluster `make test` starts,
// which no other test uses (SKELDIR_TEST_CRASH_SUPERUSER_URL), and returns
// with it a crash: the cluster stops as a crash stops it (pg_ctl stop -m
// immediate: no checkpoint, every connection cut) and, after down, starts
// again, through the command in SKELDIR_TEST_CRASH_CTL (given the word
// crash or start). Tests that crash it must not run in parallel with each
// other.
func NewCrashable(t testing.TB) (*DB, func(down time.Duration)) {
	t.Helper()
	_, template := env(t)
	u := clusterURL(t, "SKELDIR_TEST_CRASH_SUPERUSER_URL")
	ctl := os.Getenv("SKELDIR_TEST_CRASH_CTL")
	if ctl == "" {
		t.Fatal("SKELDIR_TEST_CRASH_CTL is not set: run the tests with `make test`")
	}
	run := func(word string) {
		if out, err := exec.Command("sh", "-c", ctl+" "+word).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", ctl, word, err, out)
		}
	}
	crash := func(down time.Duration) {
		run("crash")
		time.Sleep(down)
		run("start")
	}
	return createOn(t, u, "c", "TEMPLATE "+pgx.Identifier{template}.Sanitize()), crash
}

// clusterURL is the superuser URL of another test cluster, from the
// environment variable name.
func clusterURL(t testing.TB, name string) *url.URL {
	t.Helper()
	raw := os.Getenv(name)
	if raw == "" {
		t.Fatalf("%s is not set: run the tests with `make test`", name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return u
}

// NewEmpty creates an empty database, with no migrations applied, for tests
// of the migrations themselves.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	return create(t, "e", "")
}

// create makes a uniquely named database, dropped when the test ends.
func create(t testing.TB, prefix, options string) *DB {
	t.Helper()
	base, _ := env(t)
	return createOn(t, base, prefix, options)
}

func createOn(t testing.TB, base *url.URL, prefix, options string) *DB {
	t.Helper()
	name := pgx.Identifier{fmt.Sprintf("%s_%s_%d_%d", prefix, slug(t.Name()), os.Getpid(), seq.Add(1))}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := connect(t, base, "postgres")
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" "+options); err != nil {
		t.Fatalf("create database %s %s: %v", name, options, err)
	}
	t.Cleanup(func() {
		c := connect(t, base, "postgres")
		defer c.Close(context.Background())
		// A change feed's walsender can outlive the daemon that opened it
		// by a moment, and FORCE does not end replication: end it and drop
		// the database's slots first, until the drop goes through.
		var err error
		for attempt := 0; attempt < 50; attempt++ {
			_, err = c.Exec(context.Background(), `
				SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
				 WHERE database = $1 AND active_pid IS NOT NULL`, strings.Trim(name, `"`))
			if err == nil {
				_, err = c.Exec(context.Background(), `
					SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
					 WHERE database = $1 AND NOT active`, strings.Trim(name, `"`))
			}
			if err == nil {
				if _, err = c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err == nil {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("drop database %s: %v", name, err)
	})
	return &DB{Name: strings.Trim(name, `"`), base: base}
}

// URL is a connection URL to this database as role; the password comes from
// PGPASSFILE.
func (d *DB) URL(role string) string {
	u := *d.base
	u.User = url.User(role)
	u.Path = "/" + d.Name
	return u.String()
}

// Pool returns this database's pool for role, opened on first use and
// closed when the test ends.
func (d *DB) Pool(t testing.TB, role string) *pgxpool.Pool {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pools[role]; ok {
		return p
	}
	pool, err := pgxpool.New(context.Background(), d.URL(role))
	if err != nil {
		t.Fatalf("pool as %s: %v", role, err)
	}
	t.Cleanup(pool.Close)
	if d.pools == nil {
		d.pools = map[string]*pgxpool.Pool{}
	}
	d.pools[role] = pool
	return pool
}

// Exec runs sql as the superuser in this database.
func (d *DB) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := d.Pool(t, Superuser).Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

// Env is the environment a child process (pg_prove, psql, skeldird) needs to
// reach the test cluster: PGHOST, PGPORT and PGPASSFILE.
func (d *DB) Env() []string {
	return []string{"PGHOST=" + d.base.Hostname(), "PGPORT=" + d.base.Port(),
		"PGPASSFILE=" + os.Getenv("PGPASSFILE")}
}

func env(t testing.TB) (*url.URL, string) {
	t.Helper()
	raw, template := os.Getenv("SKELDIR_TEST_SUPERUSER_URL"), os.Getenv("SKELDIR_TEST_TEMPLATE")
	if raw == "" || template == "" {
		t.Fatal("SKELDIR_TEST_SUPERUSER_URL and SKELDIR_TEST_TEMPLATE are not set: run the tests with `make test`")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("SKELDIR_TEST_SUPERUSER_URL: %v", err)
	}
	return u, template
}

func connect(t testing.TB, base *url.URL, db string) *pgx.Conn {
	t.Helper()
	u := *base
	u.Path = "/" + db
	c, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatalf("connect to %s: %v", db, err)
	}
	return c
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	s = nonIdent.ReplaceAllString(strings.ToLower(s), "_")
	if len(s) > 30 {
		s = s[:30]
	}
	return s
}

// AccessToken is an access token of a new session of user (of tenant),
// minted by the database as api.login mints one, for tests that need a
// signed-in user without going through a login.
func (d *DB) AccessToken(t testing.TB, tenant, user string) string {
	t.Helper()
	ctx := context.Background()
	tx, err := d.Pool(t, Superuser).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var token string
	if _, err = tx.Exec(ctx, "SELECT set_config('app.current_tenant_id', $1, true)", tenant); err == nil {
		err = tx.QueryRow(ctx, `SELECT skeldir.issue_access_token($1, $2, s, '15 minutes') ->> 'access_token'
		                          FROM (SELECT gen_random_uuid() AS s) AS session,
		                               LATERAL skeldir.issue_refresh_token($2, s, '1 day')`, tenant, user).Scan(&token)
	}
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		t.Fatalf("access token for user %s of tenant %s: %v", user, tenant, err)
	}
	return token
}
