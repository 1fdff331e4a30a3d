#!/usr/bin/env bash
# make schema-snapshot: writes db/schema.sql, the schema the migrations in the
# working tree build, so a reader finds the current schema in one file. They
# are applied to an empty database on a throwaway cluster (removed however
# the run ends) and dumped by pg_schema_dump (scripts/pg.sh), as the db test
# that compares the snapshot does. The cluster has no login role: the test's
# has several, so the two agreeing shows the schema names none.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

pg_throwaway "fsync = off" skeldir
PGHOST=127.0.0.1 PGPORT=$(pg_port "$home") PGUSER=postgres pg_schema_dump skeldir > db/schema.sql.new
mv db/schema.sql.new db/schema.sql
echo "wrote db/schema.sql ($(wc -l < db/schema.sql) lines)"
