#!/usr/bin/env bash
# make bench-queue: no-op jobs burned down by skeldird's dispatcher and by
# River (../shared/bench/river, River's own burn-down benchmark) on the same
# throwaway, durable cluster in one run (SPEC §12), interleaved in pairs
# (QUEUE_PAIRS, default 3) with each ratio and their median reported, then
# the dispatcher's enqueue-to-start latency when idle.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

jobs=${QUEUE_JOBS:-100000}
river_dir=${RIVER_BENCH_DIR:-$PWD/../shared/bench/river}
[ -f "$river_dir/main.go" ] || die "River's benchmark is not at $river_dir (set RIVER_BENCH_DIR)"
[ -x bin/skeldird ] || die "build first: make bench-queue builds bin/skeldird"

pg_throwaway "shared_buffers = 256MB" skeldir
pg_login_role "$home" skeldird_worker skeldir_worker
sql() { pg_psql "$home" skeldir -tA -c "$1"; }

(cd "$river_dir" && go build -o "$home/riverbench" .)

start_daemon() {
  WORKER_DATABASE_URL=$(pg_url "$home" skeldird_worker skeldir) SKELDIR_WORKER_METRICS_ADDR=127.0.0.1:0 \
    SKELDIR_LOG_LEVEL=warn bin/skeldird serve --role worker 2>"$home/daemon.log" &
  daemon=$!
}
stop_daemon() { kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=; }

# One burn-down by skeldird: N no-op jobs queued, then one dispatcher
# started; the rate is N over the time from the first start to the last
# finish.
ours_once() {
  sql "DELETE FROM skeldir.jobs" >/dev/null
  sql "INSERT INTO skeldir.jobs (kind, queue) SELECT 'housekeeping.ping', 'housekeeping' FROM generate_series(1, $jobs)" >/dev/null
  sql "VACUUM ANALYZE skeldir.jobs" >/dev/null
  start_daemon
  until [ "$(sql "SELECT count(*) FROM skeldir.jobs WHERE kind = 'housekeeping.ping' AND state <> 'completed'")" = 0 ]; do
    sleep 0.2
  done
  stop_daemon
  sql "SELECT round($jobs / extract(epoch FROM max(finished_at) - min(started_at))) FROM skeldir.jobs WHERE kind = 'housekeeping.ping'"
}
# One burn-down by River, on a database of its own in the same cluster (it
# truncates its table each run).
pg_psql "$home" postgres -c "CREATE DATABASE river_bench" >/dev/null
river_once() {
  "$home/riverbench" -url "$(pg_url "$home" postgres river_bench)" -n "$jobs" | sed -n 's/.*jobs_per_sec=\([0-9.]*\).*/\1/p'
}

# Interleaved, so that the machine's swings land on both sides: ours, River,
# ours, River, ours, River.
pairs=${QUEUE_PAIRS:-3}
results=()
for i in $(seq 1 "$pairs"); do
  o=$(ours_once); r=$(river_once)
  results+=("$o $r")
  echo "pair $i: skeldird $o jobs/s, River $r jobs/s" >&2
done

# Idle latency: 200 jobs enqueued one at a time, 20 ms apart, each in its
# own transaction, while the dispatcher has nothing else to do. The table is
# vacuumed first, as autovacuum leaves it after a burst: the burn-downs'
# dead rows, until then, cost each look for work a scan past them (p50 1.28
# ms from a fresh table, 1.81 ms after one burn-down of 100,000 deleted a
# second before, 2.16 ms after three).
sql "DELETE FROM skeldir.jobs" >/dev/null
sql "VACUUM ANALYZE skeldir.jobs" >/dev/null
start_daemon
sleep 1
for _ in $(seq 1 200); do
  echo "SELECT skeldir.enqueue('housekeeping.ping', dedupe_key => 'latency:' || gen_random_uuid()); SELECT pg_sleep(0.02);"
done | pg_psql "$home" skeldir -q >/dev/null
sleep 1
read -r p50 p99 < <(pg_psql "$home" skeldir -tA -F ' ' -c "
  SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2)
    FROM (SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM skeldir.jobs WHERE dedupe_key LIKE 'latency:%') AS l")
stop_daemon

printf '%s\n' "${results[@]}" | awk -v n="$jobs" -v p50="$p50" -v p99="$p99" '
  { ours[NR] = $1; river[NR] = $2; ratio[NR] = $1 / $2 }
  END {
    printf "\n%-40s %12s %12s %8s\n", "queue benchmark (" n " no-op jobs)", "skeldird/s", "River/s", "ratio"
    for (i = 1; i <= NR; i++) printf "%-40s %12.0f %12.0f %8.2f\n", "pair " i, ours[i], river[i], ratio[i]
    # median of the ratios (sorted by insertion)
    for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    med = (NR % 2) ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
    printf "\nmedian ratio skeldird / River v0.51: %.2f (target >= 1.5) %s\n", med, (med >= 1.5 ? "ok" : "BELOW TARGET")
    printf "enqueue-to-start when idle: p50 %.2f ms, p99 %.2f ms (target p50 <= 2 ms) %s\n", p50, p99, (p50 <= 2 ? "ok" : "ABOVE TARGET")
  }'
