// Package db_test checks the migration history itself: how its files are
// named and that applying it is repeatable.
package db_test

import (
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
// lower-case snake_case name, and an up section.
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

func TestMigrationsApplyToAnEmptyDatabaseAndRerunAsNoop(t *testing.T) {
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
	dump := func() string {
		t.Helper()
		cmd := exec.Command("pg_dump", "--schema-only", "--no-comments", "--restrict-key=skeldir", "-U", testdb.Superuser, "-d", db.Name)
		cmd.Env = append(os.Environ(), db.Env()...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		return string(out)
	}

	// The group roles already exist in this cluster: the first run must take
	// them as they are.
	if out := migrate(); !strings.Contains(out, "Applied:") {
		t.Fatalf("first run applied nothing:\n%s", out)
	}
	before := dump()
	if out := migrate(); strings.Contains(out, "Applying") {
		t.Errorf("second run applied migrations again:\n%s", out)
	}
	if after := dump(); after != before {
		t.Error("the second run changed the schema")
	}
}
