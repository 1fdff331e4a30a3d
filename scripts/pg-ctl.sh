#!/usr/bin/env bash
# scripts/pg-ctl.sh HOME crash|start: stops the cluster in HOME as a crash
# stops it (pg_ctl stop -m immediate: no shutdown checkpoint, every client
# cut off, recovery at the next start), or starts it. make test gives this
# to the fault test that crashes its own cluster (SKELDIR_TEST_CRASH_CTL).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh
case ${2:-} in
  crash) as_cluster_user "$PG_BINDIR/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null ;;
  start) pg_start "$1" ;;
  *) die "usage: scripts/pg-ctl.sh HOME crash|start" ;;
esac
