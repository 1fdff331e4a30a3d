#!/usr/bin/env bash
# make bench: every benchmark, one after the other (never two at once: the
# machine's two cores would make each the other's noise), then every figure
# with its target in one list. The whole output is kept in BENCH_LOG
# (default .local/bench.log) for the issue's notes.
set -uo pipefail
cd "$(dirname "$0")/.."
log=${BENCH_LOG:-.local/bench.log}
mkdir -p "$(dirname "$log")"
: >"$log"
failed=
for b in ingest queue attribution; do
  echo "== bench-$b ($(date -u +%FT%TZ))" | tee -a "$log"
  scripts/bench-$b.sh 2>&1 | tee -a "$log" || failed="$failed bench-$b"
done
echo
echo "== every target (the full output is in $log)"
grep -E 'target|ok$' "$log" | sed 's/^ *//'
[ -z "$failed" ] || { echo "failed:$failed" >&2; exit 1; }
