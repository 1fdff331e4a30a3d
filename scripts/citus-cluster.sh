#!/usr/bin/env bash
# A Citus cluster on loopback: a coordinator and two workers, each a
# PostgreSQL 15 cluster made by scripts/pg.sh (the postgres user when run as
# root, 127.0.0.1 only, SCRAM passwords in pgpass files, wal_level = logical)
# with Citus preloaded. Citus must be installed (scripts/citus-build.sh).
#
#   scripts/citus-cluster.sh start DIR [DB]   init (once) and start the three
#       nodes in DIR/coordinator, DIR/worker1 and DIR/worker2 on free ports,
#       create DB (default skeldir) and the citus extension on every node,
#       register the coordinator and add both workers; writes DIR/ports
#       ("coordinator PORT", "worker1 PORT", "worker2 PORT") and DIR/pgpass
#       (see Credentials).
#   scripts/citus-cluster.sh stop DIR         stop the three nodes.
#
# Credentials: Citus treats roles as cluster-wide and copies them, password
# hashes included, from the coordinator to every node it adds (the
# superuser's too: a worker's own password stops working). So the workers
# are given the coordinator's superuser password before they are added, and
# the cluster has one pgpass, the coordinator's home's as pg.sh writes it,
# linked as DIR/pgpass. Clients use it (PGPASSFILE=DIR/pgpass), and so do
# the servers, which connect to each other as the user running the
# statement: each node is started with PGPASSFILE=DIR/pgpass in its
# environment (a node restarted some other way cannot reach the others).
# Login roles made with pg.sh's pg_login_role on DIR/coordinator are
# propagated to the workers with their password and added to that file,
# which serves all three nodes. No password is written anywhere else (no
# pg_dist_authinfo).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

CITUS_NODES=(coordinator worker1 worker2)

# Test data is disposable: trade durability for speed (as scripts/test.sh).
CITUS_CONF="shared_preload_libraries = 'citus'
fsync = off
synchronous_commit = off
full_page_writes = off"

usage() { echo "usage: $0 start|stop DIR [DB]" >&2; exit 2; }

citus_require() {
  pg_require_packages
  [ -f "$("$PG_BINDIR/pg_config" --pkglibdir)/citus.so" ] ||
    die "Citus is not installed: run scripts/citus-build.sh (as root)"
}

# citus_pgpass DIR: DIR/pgpass, the coordinator's pgpass, readable by the
# servers' user.
citus_pgpass() {
  local dir=$1
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/coordinator/pgpass"
  ln -sfn coordinator/pgpass "$dir/pgpass"
}

# citus_worker_password DIR WORKER: gives the running WORKER the
# coordinator's superuser password (see Credentials) unless it has it.
citus_worker_password() {
  local dir=$1 w=$2 pw
  pw=$(sed -n 's/^\*:\*:\*:postgres://p' "$dir/coordinator/pgpass")
  [ -n "$pw" ] || die "no superuser password in $dir/coordinator/pgpass"
  [ "$(sed -n 's/^\*:\*:\*:postgres://p' "$dir/$w/pgpass")" = "$pw" ] && return 0
  pg_psql "$dir/$w" postgres -v pw="$pw" <<'SQL' >/dev/null
ALTER ROLE postgres PASSWORD :'pw';
SQL
  (umask 077; printf '*:*:*:postgres:%s\n' "$pw" > "$dir/$w/pgpass")
}

citus_start() {
  local dir=$1 db=$2 start=$SECONDS n port used=" "
  citus_require
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  pg_home_usable "$dir" ||
    die "the postgres user cannot use $dir (pick a folder under /var/tmp)"
  for n in "${CITUS_NODES[@]}"; do
    if [ -f "$dir/$n/port" ]; then
      port=$(pg_port "$dir/$n")
    else
      port=$(pg_free_port)
      while [[ $used == *" $port "* ]]; do port=$(pg_free_port); done
    fi
    used+="$port "
    pg_init "$dir/$n" "$port" "$CITUS_CONF" "$db"
  done
  citus_pgpass "$dir"
  for n in "${CITUS_NODES[@]}"; do PGPASSFILE=$dir/pgpass pg_start "$dir/$n"; done
  citus_worker_password "$dir" worker1
  citus_worker_password "$dir" worker2
  for n in "${CITUS_NODES[@]}"; do
    pg_psql "$dir/$n" postgres -v db="$db" <<'SQL' >/dev/null
SELECT format('CREATE DATABASE %I', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    pg_psql "$dir/$n" "$db" -c "SET client_min_messages = warning" \
      -c "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
  done
  pg_psql "$dir/coordinator" "$db" -v cport="$(pg_port "$dir/coordinator")" \
    -v w1="$(pg_port "$dir/worker1")" -v w2="$(pg_port "$dir/worker2")" <<'SQL' >/dev/null
SELECT citus_set_coordinator_host('127.0.0.1', :cport);
SELECT citus_add_node('127.0.0.1', p)
  FROM unnest(ARRAY[:w1, :w2]) AS p
 WHERE NOT EXISTS (SELECT FROM pg_dist_node WHERE nodename = '127.0.0.1' AND nodeport = p);
SQL
  for n in "${CITUS_NODES[@]}"; do printf '%s %s\n' "$n" "$(pg_port "$dir/$n")"; done > "$dir/ports"
  echo "Citus $(pg_psql "$dir/coordinator" "$db" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'citus'")" \
    "coordinator on 127.0.0.1:$(pg_port "$dir/coordinator"), workers on" \
    "$(pg_port "$dir/worker1") and $(pg_port "$dir/worker2"), database $db," \
    "started in $((SECONDS - start)) s (PGPASSFILE=$dir/pgpass)"
}

citus_stop() {
  local dir=$1 n
  for n in "${CITUS_NODES[@]}"; do pg_stop "$dir/$n"; done
}

[ $# -ge 2 ] || usage
case $1 in
  start) citus_start "$2" "${3:-skeldir}" ;;
  stop) citus_stop "$2" ;;
  *) usage ;;
esac
