#!/usr/bin/env bash
# make test: a throwaway cluster on a free port, a migrated template database,
# then Go tests (each integration test clones the template) and the pgTAP
# suites (each file on its own clone). The cluster is stopped and removed
# however the run ends.
#
# scripts/test.sh storm: the same cluster, but only the ingestion storm
# harness, at full size (make storm). scripts/test.sh feed: only the change
# feed's acceptance tests, with 50,000 purchases (make test-feed).
#
# While developing: scripts/test.sh only PKG [GO TEST ARGS...] runs one Go
# package's tests (e.g. scripts/test.sh only ./cmd/skeldird -run TestStripe),
# and scripts/test.sh sql FILE... runs those pgTAP files, on the same
# clusters.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

# Test data is disposable: trade durability for speed.
fast="fsync = off
synchronous_commit = off
full_page_writes = off"
# Change feed tests each stream a slot of their own (wal_level = logical is
# already set by pg_init), each from a database of its own: the feed's login
# may reach all of them.
pg_throwaway "$fast
max_wal_senders = 40
max_replication_slots = 40" skeldir_template all
echo "test cluster on 127.0.0.1:$(pg_port "$home") in $home"

# A second cluster that cannot decode logically (wal_level = replica), where
# the change feed must fall back to transactional enqueue. Its passwords go
# first in the main cluster's pgpass, for its port only.
# A third, like the second, that one fault test crashes and restarts
# (scripts/pg-ctl.sh): no other test may lose its connections to it. A
# crash of the server process loses the commits still in its WAL buffers
# when synchronous_commit is off, so here a commit waits for its WAL to
# reach the kernel (fsync stays off: the kernel does not crash). Their
# passwords go first too.
replica_home=$(mktemp -d /tmp/skeldir-pg.XXXXXX)
crash_home=$(mktemp -d /tmp/skeldir-pg.XXXXXX)
trap 'for h in "$replica_home" "$crash_home"; do pg_stop "$h" || true; rm -rf "$h"; done; pg_throwaway_cleanup' EXIT INT TERM
pg_init "$replica_home" "$(pg_free_port)" "$fast
wal_level = replica
max_connections = 100" all
pg_init "$crash_home" "$(pg_free_port)" "fsync = off
full_page_writes = off
wal_level = replica
max_connections = 100" all
for h in "$replica_home" "$crash_home"; do
  pg_start "$h"
  PGPASSFILE="$h/pgpass" pg_migrate "$h" skeldir_template >/dev/null
done

pg_login_role "$home" skeldird_api skeldir_api
pg_login_role "$home" skeldird_worker skeldir_worker
pg_login_role "$home" skeldird_admin skeldir_admin
pg_login_role "$home" skeldird_readonly skeldir_readonly
# The change feed's login role: LOGIN REPLICATION and nothing else, as
# `make run` and the README create it.
for h in "$home" "$replica_home" "$crash_home"; do
  pg_login_role "$h" skeldird_api skeldir_api
  pg_login_role "$h" skeldird_worker skeldir_worker
  pg_login_role "$h" skeldird_admin skeldir_admin
  pg_feed_login "$h"
done
{ for h in "$replica_home" "$crash_home"; do sed "s/^\*:\*:/127.0.0.1:$(pg_port "$h"):/" "$h/pgpass"; done
  cat "$home/pgpass"; } > "$home/pgpass.new"
mv "$home/pgpass.new" "$home/pgpass"
chmod 600 "$home/pgpass"
export SKELDIR_TEST_REPLICA_SUPERUSER_URL; SKELDIR_TEST_REPLICA_SUPERUSER_URL=$(pg_url "$replica_home" postgres postgres)
export SKELDIR_TEST_CRASH_SUPERUSER_URL; SKELDIR_TEST_CRASH_SUPERUSER_URL=$(pg_url "$crash_home" postgres postgres)
export SKELDIR_TEST_CRASH_CTL; SKELDIR_TEST_CRASH_CTL="$PWD/scripts/pg-ctl.sh $crash_home"

export SKELDIR_TEST_SUPERUSER_URL; SKELDIR_TEST_SUPERUSER_URL=$(pg_url "$home" postgres postgres)
export SKELDIR_TEST_TEMPLATE=skeldir_template
export SKELDIR_TEST_DBMATE=$DBMATE

if [ "${1:-}" = storm ]; then
  go test -count=1 -v -timeout 60m ./tests/storm -run TestStorm -args -storm.n=10000 -storm.c=200
  exit $?
fi

# scripts/test.sh feed: the change feed acceptance tests at full size (make test-feed).
if [ "${1:-}" = feed ]; then
  SKELDIR_FEED_PURCHASES=${SKELDIR_FEED_PURCHASES:-50000} go test -count=1 -v -timeout 30m ./cmd/skeldird -run 'TestChangeFeed'
  exit $?
fi

if [ "${1:-}" = only ]; then
  shift
  go test -count=1 "$@"
  exit $?
fi

status=0
if [ "${1:-}" = sql ]; then
  shift
  suites=("$@")
else
  go test -count=1 ./... || status=1
  suites=(tests/sql/*.sql)
fi

# pgTAP: each file against a fresh clone of the template.
n=0
for f in "${suites[@]}"; do
  n=$((n + 1))
  db="pgtap_$n"
  pg_psql "$home" postgres -c "CREATE DATABASE $db TEMPLATE skeldir_template"
  pg_psql "$home" "$db" -c "CREATE EXTENSION pgtap"
  PGHOST=127.0.0.1 PGPORT=$(pg_port "$home") PGUSER=postgres PGDATABASE=$db \
    pg_prove --failures "$f" || status=1
done
[ "$n" -gt 0 ] || { echo "no pgTAP suites found in tests/sql" >&2; status=1; }

exit $status
