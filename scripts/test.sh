#!/usr/bin/env bash
# make test: a throwaway cluster on a free port, a migrated template database,
# then Go tests (each integration test clones the template) and the pgTAP
# suites (each file on its own clone). The cluster is stopped and removed
# however the run ends.
#
# scripts/test.sh storm: the same cluster, but only the ingestion storm
# harness, at full size (make storm).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

# Test data is disposable: trade durability for speed.
pg_throwaway "fsync = off
synchronous_commit = off
full_page_writes = off" skeldir_template
echo "test cluster on 127.0.0.1:$(pg_port "$home") in $home"

pg_login_role "$home" skeldird_api skeldir_api
pg_login_role "$home" skeldird_worker skeldir_worker
pg_login_role "$home" skeldird_admin skeldir_admin
pg_login_role "$home" skeldird_readonly skeldir_readonly

export SKELDIR_TEST_SUPERUSER_URL; SKELDIR_TEST_SUPERUSER_URL=$(pg_url "$home" postgres postgres)
export SKELDIR_TEST_TEMPLATE=skeldir_template
export SKELDIR_TEST_DBMATE=$DBMATE

if [ "${1:-}" = storm ]; then
  go test -count=1 -v -timeout 60m ./tests/storm -run TestStorm -args -storm.n=10000 -storm.c=200
  exit $?
fi

status=0
go test -count=1 ./... || status=1

# pgTAP: each file against a fresh clone of the template.
n=0
for f in tests/sql/*.sql; do
  n=$((n + 1))
  db="pgtap_$n"
  pg_psql "$home" postgres -c "CREATE DATABASE $db TEMPLATE skeldir_template"
  pg_psql "$home" "$db" -c "CREATE EXTENSION pgtap"
  PGHOST=127.0.0.1 PGPORT=$(pg_port "$home") PGUSER=postgres PGDATABASE=$db \
    pg_prove --failures "$f" || status=1
done
[ "$n" -gt 0 ] || { echo "no pgTAP suites found in tests/sql" >&2; status=1; }

exit $status
