# shellcheck shell=bash
# Local PostgreSQL clusters for `make run` and `make test`: sourced, not run.
#
# A cluster lives in one folder (its home): data/ (the data directory), log,
# and pgpass, which holds generated passwords for every role the scripts
# create. Nothing here ever writes a password anywhere else. initdb refuses to
# run as root, so when invoked as root the cluster runs as the postgres user.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
DBMATE=${DBMATE:-$PWD/node_modules/.bin/dbmate}  # pinned in package.json

# as_cluster_user CMD...: runs CMD as the user that owns the cluster.
as_cluster_user() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

die() { echo "error: $*" >&2; exit 1; }

gen_password() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# pg_require_packages: the PostgreSQL server, pgTAP and pg_prove, installed
# with apt when root, named in an error otherwise.
pg_require_packages() {
  local missing=()
  [ -x "$PG_BINDIR/initdb" ] || missing+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/pgtap.control ] || missing+=(postgresql-15-pgtap)
  command -v pg_prove >/dev/null || missing+=(libtap-parser-sourcehandler-pgtap-perl)
  # psql, and the pg_dump of the server's major version (db/schema.sql
  # is its output: /usr/bin/pg_dump may pick a newer client).
  { command -v psql && [ -x "$PG_BINDIR/pg_dump" ]; } >/dev/null || missing+=(postgresql-client-15)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      die "could not install ${missing[*]}"
  else
    die "missing system packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
}

# pg_home_usable DIR: whether the cluster user can reach DIR.
pg_home_usable() {
  as_cluster_user test -w "$1" -a -x "$1" 2>/dev/null
}

# pg_init HOME PORT [EXTRA_CONF [FEED_DB]]: creates a cluster listening on
# 127.0.0.1:PORT in HOME unless one is there, and (re)writes its pg_hba.conf
# (see pg_hba). The superuser is `postgres` with a generated password
# recorded in HOME/pgpass.
pg_init() {
  local home=$1 port=$2 extra=${3:-} feed_db=${4:-skeldir}
  if [ ! -f "$home/data/PG_VERSION" ]; then pg_initdb "$home" "$port" "$extra"; fi
  pg_hba "$home" "$feed_db"
}

pg_initdb() {
  local home=$1 port=$2 extra=$3
  mkdir -p "$home"
  [ "$(id -u)" = 0 ] && chown postgres: "$home"
  chmod 700 "$home"
  local pw; pw=$(gen_password)
  local pwfile="$home/initpw"
  (umask 077; printf '%s\n' "$pw" > "$pwfile")
  [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
  as_cluster_user "$PG_BINDIR/initdb" -D "$home/data" -U postgres --pwfile="$pwfile" \
    -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; cat "$home/initdb.log" >&2; die "initdb failed in $home"; }
  rm -f "$pwfile"
  printf '%s\n' "$port" > "$home/port"
  (umask 077; printf '*:*:*:postgres:%s\n' "$pw" > "$home/pgpass")
  as_cluster_user tee -a "$home/data/postgresql.conf" >/dev/null <<CONF

# Skeldir local cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
wal_level = logical
max_connections = 300
$extra
CONF
}

# The change feed's login role: LOGIN REPLICATION and nothing else (no group
# role, no object, no grant). Its replication connection only streams the
# slot; the worker's own login makes every SQL call.
PG_FEED_ROLE=skeldird_feed

# pg_hba HOME FEED_DB: the cluster's pg_hba.conf, replacing initdb's (whose
# `host replication all` lines let any role with REPLICATION take a base
# backup of the whole cluster). No line names the `replication` database, so
# physical replication (pg_basebackup, a standby) is refused to every role,
# the superuser too. A logical replication connection (replication=database)
# is matched by its database like any other connection: the feed's login may
# reach FEED_DB only (`all` for test clusters, whose databases are clones
# with generated names). The server reloads it if it runs and it changed.
pg_hba() {
  local home=$1 feed_db=$2 hba
  hba="# Skeldir local cluster: written by scripts/pg.sh (pg_hba), edits are replaced.
# TCP on 127.0.0.1 only (no Unix socket), SCRAM passwords from the cluster
# home's pgpass. No line names the replication database: physical
# replication is refused to every role. The change feed's login
# ($PG_FEED_ROLE: LOGIN REPLICATION, nothing else) may reach $feed_db only;
# its logical replication connection matches by database like any other.
# TYPE  DATABASE  USER  ADDRESS  METHOD
host  $feed_db  $PG_FEED_ROLE  127.0.0.1/32  scram-sha-256"
  [ "$feed_db" = all ] || hba+="
host  all  $PG_FEED_ROLE  all  reject"
  hba+="
host  all  all  127.0.0.1/32  scram-sha-256"
  [ "$(as_cluster_user cat "$home/data/pg_hba.conf" 2>/dev/null)" = "$hba" ] && return 0
  printf '%s\n' "$hba" | as_cluster_user tee "$home/data/pg_hba.conf" >/dev/null
  if as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
    as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" reload >/dev/null
  fi
}

# pg_throwaway EXTRA_CONF [DB [FEED_DB]]: starts a cluster in a new temporary
# folder on a free port, sets $home to it and PGPASSFILE to its passwords,
# and migrates DB when given. The change feed's login may reach FEED_DB (by
# default DB, else skeldir). When the script exits, however it exits, the
# process in $daemon (if any) is stopped and the cluster removed.
pg_throwaway() {
  pg_require_packages
  home=$(mktemp -d /tmp/skeldir-pg.XXXXXX)
  daemon=
  trap pg_throwaway_cleanup EXIT INT TERM
  pg_init "$home" "$(pg_free_port)" "$1" "${3:-${2:-skeldir}}"
  pg_start "$home"
  export PGPASSFILE="$home/pgpass"
  [ -z "${2:-}" ] || pg_migrate "$home" "$2" >/dev/null
}

pg_throwaway_cleanup() {
  if [ -n "${daemon:-}" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  pg_stop "$home" || true
  rm -rf "$home"
}

# pg_port HOME: the port the cluster in HOME listens on.
pg_port() { cat "$1/port"; }

# pg_start HOME: starts the cluster unless it runs.
pg_start() {
  local home=$1
  if as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
    return 0
  fi
  as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" -l "$home/log" -w -t 60 start >/dev/null ||
    { tail -20 "$home/log" >&2; die "PostgreSQL did not start on port $(pg_port "$home") (see $home/log)"; }
}

# pg_stop HOME: stops the cluster if it runs.
pg_stop() {
  local home=$1
  [ -f "$home/data/PG_VERSION" ] || return 0
  if as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" status >/dev/null 2>&1; then
    as_cluster_user "$PG_BINDIR/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null
  fi
}

# pg_free_port: a TCP port on 127.0.0.1 that nothing listens on right now,
# below the kernel's ephemeral range so that no outgoing connection holds it.
pg_free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % (low - 20000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  die "no free port found"
}

# pg_psql HOME DB [PSQL ARGS...]: psql as the superuser.
pg_psql() {
  local home=$1 db=$2; shift 2
  PGPASSFILE="$home/pgpass" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$home")" \
    -U postgres -d "$db" "$@"
}

# pg_login_role HOME ROLE GROUP: creates login ROLE as a member of GROUP with
# a generated password, recorded in HOME/pgpass. Idempotent.
pg_login_role() {
  local home=$1 role=$2 group=$3
  grep -q "^\*:\*:\*:$role:" "$home/pgpass" && return 0
  local pw; pw=$(gen_password)
  pg_psql "$home" postgres -v role="$role" -v grp="$group" -v pw="$pw" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SELECT format('GRANT %I TO %I', :'grp', :'role') WHERE :'grp' <> '' \gexec
SQL
  (umask 077; printf '*:*:*:%s:%s\n' "$role" "$pw" >> "$home/pgpass")
}

# pg_feed_login HOME: creates the change feed's login ($PG_FEED_ROLE) with a
# generated password recorded in HOME/pgpass: LOGIN REPLICATION, a member of
# no role (pg_hba limits where it may connect). Idempotent.
pg_feed_login() {
  pg_login_role "$1" "$PG_FEED_ROLE" ""
  pg_psql "$1" postgres -c "ALTER ROLE $PG_FEED_ROLE REPLICATION" >/dev/null
}

# pg_url HOME ROLE DB: a connection URL for ROLE without its password, which
# clients read from PGPASSFILE=HOME/pgpass.
pg_url() {
  printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable' "$2" "$(pg_port "$1")" "$3"
}

# pg_migrate HOME DB: applies the migration history to DB (creating it if
# needed) as the superuser.
pg_migrate() {
  [ -x "$DBMATE" ] || die "dbmate is missing: run npm ci (make does this)"
  PGPASSFILE="$1/pgpass" DATABASE_URL=$(pg_url "$1" postgres "$2") \
    "$DBMATE" --no-dump-schema -d db/schema -d db/functions -d db/policies -d db/grants up
}

# pg_schema_dump DB: DB's schema as db/schema.sql holds it: pg_dump
# --schema-only, owners and ACLs kept (DBAs read them), without what varies
# between runs and machines: the server's and pg_dump's versions and the
# random keys of the \restrict lines pg_dump writes since 15.14 (blank lines
# squeezed, so dumps with and without them match). dbmate's
# schema_migrations is in it as a table, never its rows. Connects with the
# libpq environment (PGHOST, PGPORT, PGUSER, PGPASSFILE). The db test and
# `make schema-snapshot` both dump with it.
pg_schema_dump() {
  "$PG_BINDIR/pg_dump" --schema-only --no-password -d "$1" |
    sed -e '/^-- Dumped from database version /d' -e '/^-- Dumped by pg_dump version /d' \
      -e '/^\\restrict /d' -e '/^\\unrestrict /d' | cat -s
}
