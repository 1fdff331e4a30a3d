// Package db_test checks the migration history itself: how its files are
// named, that released ones are unchanged, that applying it builds the
// committed snapshot (db/schema.sql) and that re-applying it is a no-op.
package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/skeldir/skeldir/internal/testdb"
)

var migrationDirs = []string{"schema", "functions", "policies", "grants"}

// Each file is one concept, named for what it creates: a 14-digit version, a
// lower-case snake_case name, and an up section first. Migrations are
// forward-only: the up section is all that runs (README, Migrations).
func TestMigrationFilesAreVersionedAndNamed(t *testing.T) {
	name := regexp.MustCompile(`^(\d{14})_[a-z0-9]+(_[a-z0-9]+)*\.sql$`)
	seen := map[string]string{}
	for _, dir := range migrationDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("%s holds no migrations", dir)
		}
		for _, f := range files {
			m := name.FindStringSubmatch(filepath.Base(f))
			if m == nil {
				t.Errorf("%s: not named VERSION_what_it_creates.sql", f)
				continue
			}
			if other, dup := seen[m[1]]; dup {
				t.Errorf("%s and %s share version %s", f, other, m[1])
			}
			seen[m[1]] = f
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(body), "-- migrate:up\n") {
				t.Errorf("%s does not start with -- migrate:up", f)
			}
		}
	}
}

// Everything on main is released, and a released migration is immutable: a
// database that applied it never applies it again, so an edit would reach
// only fresh databases. db/migrations.sha256 lists every released file with
// its digest, in version order; `make migrations-manifest` appends new ones.
func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	raw, err := os.ReadFile("migrations.sha256")
	if err != nil {
		t.Fatalf("%v (make migrations-manifest writes it)", err)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  (db/(?:schema|functions|policies|grants)/(\d{14})_[^/]+\.sql)$`)
	const immutable = "released migrations are immutable: restore it as released and add a new migration instead " +
		"(to change a function, a new file with a full CREATE OR REPLACE copy; see README, Migrations)"
	listed := map[string]bool{}
	last := ""
	for i, l := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("db/migrations.sha256:%d is not `SHA-256  db/FOLDER/VERSION_name.sql`: %q", i+1, l)
			continue
		}
		sum, path, version := m[1], m[2], m[3]
		if version <= last {
			t.Errorf("db/migrations.sha256:%d: %s is not in version order (after %s)", i+1, path, last)
		}
		last = version
		listed[path] = true
		body, err := os.ReadFile(filepath.Join("..", path))
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was deleted, but it is released (db/migrations.sha256:%d): %s", path, i+1, immutable)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if digest := sha256.Sum256(body); hex.EncodeToString(digest[:]) != sum {
			t.Errorf("%s was edited after its release (its SHA-256 differs from db/migrations.sha256:%d): %s", path, i+1, immutable)
		}
	}
	for _, dir := range migrationDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			path := "db/" + filepath.ToSlash(f)
			if listed[path] {
				continue
			}
			version, _, _ := strings.Cut(filepath.Base(f), "_")
			if version <= last {
				t.Errorf("%s: version %s is not after the last released migration (%s): a database migrated already "+
					"would apply it last, a fresh one in its place; rename it with a later version, then run `make migrations-manifest`",
					path, version, last)
				continue
			}
			t.Errorf("%s is not released yet: run `make migrations-manifest` (it appends its digest to db/migrations.sha256) "+
				"and commit both; once released it may not change", path)
		}
	}
}

// Applying the history to an empty database builds db/schema.sql, the
// snapshot a reader finds the schema in, and applying it again changes
// nothing. This cluster has login roles and the snapshot's cluster
// (make schema-snapshot) has none, so the snapshot must not name one.
func TestMigrationsBuildTheSnapshotAndRerunAsNoop(t *testing.T) {
	t.Parallel()
	db := testdb.NewEmpty(t)
	migrate := func() string {
		t.Helper()
		dbmate := os.Getenv("SKELDIR_TEST_DBMATE")
		if dbmate == "" {
			t.Fatal("SKELDIR_TEST_DBMATE is not set: run the tests with `make test`")
		}
		args := []string{"--no-dump-schema"}
		for _, d := range migrationDirs {
			args = append(args, "-d", d)
		}
		cmd := exec.Command(dbmate, append(args, "up")...)
		cmd.Env = append(append(os.Environ(), db.Env()...), "DATABASE_URL="+db.URL(testdb.Superuser))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dbmate up: %v\n%s", err, out)
		}
		return string(out)
	}
	// The dump as make schema-snapshot writes it: pg_schema_dump in
	// scripts/pg.sh, so both normalise it the same way.
	dump := func() string {
		t.Helper()
		cmd := exec.Command("bash", "-c", `set -euo pipefail; . scripts/pg.sh; pg_schema_dump "$1"`, "bash", db.Name)
		cmd.Dir = ".."
		cmd.Env = append(append(os.Environ(), db.Env()...), "PGUSER="+testdb.Superuser)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pg_schema_dump: %v\n%s", err, stderr.String())
		}
		return string(out)
	}

	// The group roles already exist in this cluster: the first run must take
	// them as they are.
	if out := migrate(); !strings.Contains(out, "Applied:") {
		t.Fatalf("first run applied nothing:\n%s", out)
	}
	before := dump()
	checkSnapshot(t, before)
	checkNoLoginRole(t, db, before)
	if out := migrate(); strings.Contains(out, "Applying") {
		t.Errorf("second run applied migrations again:\n%s", out)
	}
	if after := dump(); after != before {
		t.Error("the second run changed the schema")
	}
}

// checkSnapshot fails with a short diff when db/schema.sql is not dump.
func checkSnapshot(t *testing.T, dump string) {
	t.Helper()
	want, err := os.ReadFile("schema.sql")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if string(want) == dump {
		return
	}
	got := filepath.Join(t.TempDir(), "schema.sql")
	if err := os.WriteFile(got, []byte(dump), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("diff", "-u", "--label", "db/schema.sql (committed)", "--label", "db/schema.sql (what the migrations build)",
		"schema.sql", got).CombinedOutput()
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) > 40 {
		lines = append(lines[:40], "...\n")
	}
	t.Errorf("db/schema.sql is not the schema the migrations build: regenerate it with `make schema-snapshot` and commit it\n%s",
		strings.Join(lines, ""))
}

// checkNoLoginRole fails when an owner or privilege in dump names one of
// this cluster's login roles (a snapshot made elsewhere would differ): the
// schema grants to group roles only.
func checkNoLoginRole(t *testing.T, db *testdb.DB, dump string) {
	t.Helper()
	rows, err := db.Pool(t, testdb.Superuser).Query(context.Background(),
		"SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper")
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		logins = append(logins, regexp.QuoteMeta(r))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(logins) == 0 {
		t.Fatal("the test cluster has no login role, so this proves nothing: run the tests with `make test`")
	}
	acl := regexp.MustCompile(`(?m)^(?:GRANT|REVOKE|ALTER DEFAULT PRIVILEGES|ALTER .* OWNER TO) .*\b(` + strings.Join(logins, "|") + `)\b.*$`)
	for _, m := range acl.FindAllStringSubmatch(dump, -1) {
		t.Errorf("the schema names login role %s, which only some clusters have: %s", m[1], m[0])
	}
}
