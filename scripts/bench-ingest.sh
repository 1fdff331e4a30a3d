#!/usr/bin/env bash
# make bench-ingest: webhook ingest cost as ratios against baselines run in
# the same command on the same throwaway, durable (fsync on, synchronous
# commit) cluster (issue 15). Two phases; BENCH_PHASES picks them ("sql",
# "http", or both, the default "sql http").
#
# Phase sql (target 1): 2,000 real-shaped Shopify orders/create deliveries
# (scripts/sql/ingest_deliveries.sql: customer, addresses, browser IP, a note,
# line items, UTM note attributes) through api.ingest_webhook in one
# transaction, against the same event and ledger rows (the payload as
# projected, the same columns) inserted directly in one transaction
# (scripts/sql/ingest_ratio.sql), interleaved in pairs (INGEST_PAIRS, default
# 3: ingest, direct, ingest, direct, ...) on a database of its own. Target:
# median ratio <= 3.
#
# Phase http (targets 2, 5 and 6): skeldird serving every role (API, work
# loop, schedules) on loopback, loaded by skeldir-load (vegeta) with signed,
# real-shaped Shopify orders (cmd/skeldird/testdata/vendors/shopify/
# order_paid.json, renumbered, about 12 kB each), BENCH_SECONDS (10) a run.
#   - The rate: the highest open-loop rate (deliveries started per second
#     whatever the answers do) answered with p99 < 100 ms and no 5xx, timeout
#     or failure, searched downwards from the closed-loop peak.
#   - The ceiling: pgbench inserting the rows those deliveries stored (event
#     and ledger row, payload as projected) 50 to a transaction from 2
#     clients. Ceiling and HTTP at the rate run interleaved in pairs
#     (HTTP_PAIRS, default 3); target: median ratio HTTP / ceiling >= 0.5.
#   - At half the rate: p99 < 50 ms.
#   - Realtime revenue lag during the pairs' HTTP runs: for each delivery, the
#     time from its booking until the tenant's realtime revenue (what
#     GET /api/attribution/revenue/realtime reads) includes it, sampled every
#     50 ms; target p95 <= 2 s.
#   - The daemon's peak resident memory (VmHWM) after it all; target <= 100 MB.
# BENCH_FEED=1 runs the daemon with the change feed (booked money reaches
# the work loop through the slot instead of the ingest transaction).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

phases=" ${BENCH_PHASES:-sql http} "
case "$phases" in *" http "*) http_phase=1 ;; *) http_phase= ;; esac
case "$phases" in *" sql "*) sql_phase=1 ;; *) sql_phase= ;; esac
[ -n "$http_phase$sql_phase" ] || die "BENCH_PHASES names no phase (sql, http): $phases"
if [ -n "$http_phase" ]; then
  command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
  [ -x bin/skeldird ] && [ -x bin/skeldir-load ] || die "build first: make bench-ingest builds bin/skeldird and bin/skeldir-load"
fi
seconds=${BENCH_SECONDS:-10}

pg_throwaway "shared_buffers = 256MB" skeldir
pg_login_role "$home" skeldird_api skeldir_api
port=$(pg_port "$home")

# Phase sql. Each timing is one psql session's \timing of one call, in ms:
# one statement, so one transaction, its commit included.
if [ -n "$sql_phase" ]; then
  pg_psql "$home" postgres -c "CREATE DATABASE skeldir_sql TEMPLATE skeldir" >/dev/null
  sqlb() { pg_psql "$home" skeldir_sql -tA "$@"; }
  count=${INGEST_DELIVERIES:-2000}
  pairs=${INGEST_PAIRS:-3}
  read -r tenant key secret < <(sqlb -F ' ' \
    -c "SELECT t ->> 'tenant_id', t ->> 'api_key', t #>> '{webhook_secrets,shopify}' FROM admin.create_tenant('bench ingest') AS t")
  baseline_tenant=$(sqlb -c "SELECT admin.create_tenant('bench direct') ->> 'tenant_id'")
  sqlb -v key="$key" -v secret="$secret" -v rounds="$pairs" -v count="$count" \
    -v template="$(cat cmd/skeldird/testdata/vendors/shopify/order_paid.json)" -f scripts/sql/ingest_deliveries.sql >/dev/null
  sqlb -f scripts/sql/ingest_ratio.sql >/dev/null
  timed_call() {
    sqlb <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
\\timing on
SELECT $1 \\g /dev/null
SQL
  }
  # Round 0 warms the cluster up, both sides, untimed.
  sqlb -c "SELECT bench.ingest(0)" -c "SELECT bench.stage(0, '$tenant', '$baseline_tenant')" -c "SELECT bench.direct(0)" >/dev/null
  sqlb -c "VACUUM ANALYZE skeldir.attribution_events, skeldir.revenue_ledger, skeldir.jobs" >/dev/null
  sql_lines=()
  for i in $(seq 1 "$pairs"); do
    s=$(timed_call "bench.ingest($i)")
    sqlb -c "SELECT bench.stage($i, '$tenant', '$baseline_tenant')" >/dev/null
    b=$(timed_call "bench.direct($i)")
    sql_lines+=("$s $b")
    echo "pair $i: ingest $s ms, direct $b ms" >&2
  done
  printf '%s\n' "${sql_lines[@]}" | awk -v n="$count" '
    { s[NR] = $1; b[NR] = $2; ratio[NR] = $1 / $2 }
    END {
      printf "\n%-44s %12s %12s %8s\n", "ingest SQL (" n " deliveries, one transaction)", "ingest ms", "direct ms", "ratio"
      for (i = 1; i <= NR; i++)
        printf "%-44s %12.0f %12.0f %8.2f   (%.3f vs %.3f ms a delivery)\n", "pair " i, s[i], b[i], ratio[i], s[i] / n, b[i] / n
      for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
      med = (NR % 2) ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
      printf "\nmedian ratio ingest / direct insert: %.2f (target <= 3) %s\n", med, (med <= 3 ? "ok" : "ABOVE TARGET")
    }'
  pg_psql "$home" postgres -c "DROP DATABASE skeldir_sql" >/dev/null
fi
[ -n "$http_phase" ] || exit 0

# Phase http. The daemon serves every role; BENCH_FEED=1 gives it the change
# feed's login too, so that booked money reaches the work loop through the
# slot instead of the ingest transaction's enqueue.
pg_login_role "$home" skeldird_worker skeldir_worker
pg_psql "$home" skeldir -c "CREATE SCHEMA IF NOT EXISTS bench" >/dev/null
feed_url=
if [ "${BENCH_FEED:-}" = 1 ]; then
  pg_feed_login "$home"
  feed_url=$(pg_url "$home" skeldird_feed skeldir)
fi
read -r tenant key secret < <(pg_psql "$home" skeldir -tA -F ' ' \
  -c "SELECT t ->> 'tenant_id', t ->> 'api_key', t #>> '{webhook_secrets,shopify}' FROM admin.create_tenant('bench') AS t")
baseline_tenant=$(pg_psql "$home" skeldir -tA -c "SELECT admin.create_tenant('bench ceiling') ->> 'tenant_id'")

addr=127.0.0.1:$(pg_free_port)
DATABASE_URL=$(pg_url "$home" skeldird_api skeldir) WORKER_DATABASE_URL=$(pg_url "$home" skeldird_worker skeldir) \
  FEED_DATABASE_URL=$feed_url SKELDIR_HTTP_ADDR=$addr SKELDIR_WORKER_METRICS_ADDR=127.0.0.1:0 \
  SKELDIR_LOG_LEVEL=warn bin/skeldird serve 2>"$home/daemon.log" &
daemon=$!
for _ in $(seq 1 100); do
  curl -sf "http://$addr/health/live" >/dev/null && break
  sleep 0.1
done
curl -sf "http://$addr/health/live" >/dev/null || die "skeldird did not start: $(cat "$home/daemon.log")"
if [ -n "$feed_url" ]; then
  for _ in $(seq 1 100); do
    [ "$(pg_psql "$home" skeldir -tA -c "SELECT mode FROM skeldir.change_feed")" = feed ] && break
    sleep 0.1
  done
  [ "$(pg_psql "$home" skeldir -tA -c "SELECT mode FROM skeldir.change_feed")" = feed ] || die "the change feed did not start: $(cat "$home/daemon.log")"
  echo "change feed mode: feed" >&2
fi

# skeldir-load prints one JSON line and exits 1 when a delivery got a 5xx,
# timed out or failed; clean() tells which from the line.
load() {
  bin/skeldir-load -url "http://$addr" -key "$key" -secret "$secret" -duration "${seconds}s" \
    -order cmd/skeldird/testdata/vendors/shopify/order_paid.json "$@" || true
}
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }
clean() { [ "$(field timeouts "$1")" = 0 ] && [ "$(field errors "$1")" = 0 ] && ! grep -q '"5[0-9][0-9]"' <<<"$1"; }
fits() { clean "$1" && awk -v p="$(field p99_ms "$1")" -v limit="$2" 'BEGIN { exit !(p < limit) }'; }
report() { echo "$1: $(field rate "$2")/s, p50 $(field p50_ms "$2") ms, p99 $(field p99_ms "$2") ms, timeouts $(field timeouts "$2"), errors $(field errors "$2")" >&2; }

echo "measuring for ${seconds}s a run, PostgreSQL on 127.0.0.1:$(pg_port "$home") (durable), skeldird on $addr" >&2
peak=$(load -c 32)
report "closed loop, 32 in flight" "$peak"
rate=$(awk -v r="$(field rate "$peak")" 'BEGIN { printf "%.0f", r }')
for _ in 1 2 3 4 5 6; do
  run=$(load -c 64 -rate "$rate")
  report "open loop at $rate/s" "$run"
  fits "$run" 100 && break
  rate=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r * 0.85 }')
done
fits "$run" 100 || die "no rate down to $rate/s kept p99 under 100 ms with every delivery answered below 500"

# The ceiling's rows: 1,000 of the deliveries just stored, event and ledger
# row, moved to a tenant of their own (outside any timing). Each pgbench
# transaction inserts 50 of them with fresh keys, in one statement.
pg_psql "$home" skeldir -v tenant="$tenant" -v baseline="$baseline_tenant" >/dev/null <<'SQL'
CREATE TABLE bench.ceiling_rows AS
SELECT row_number() OVER (ORDER BY e.id) AS n, :'baseline'::uuid AS tenant_id, e.idempotency_key, e.correlation_id,
       e.vendor, e.topic, e.event_type, e.external_id, e.order_id, e.session_id, e.revenue_cents, e.currency, e.channel,
       e.utm_source, e.utm_medium, e.referrer, e.occurred_at, e.payload, e.pii_paths,
       l.transaction_id, l.state, l.amount_cents, l.currency AS ledger_currency, l.occurred_at AS ledger_occurred_at
  FROM skeldir.attribution_events AS e JOIN skeldir.revenue_ledger AS l ON l.tenant_id = e.tenant_id AND l.event_id = e.id
 WHERE e.tenant_id = :'tenant'
 LIMIT 1000;
CREATE INDEX ON bench.ceiling_rows (n);
ANALYZE bench.ceiling_rows;
SQL
[ "$(pg_psql "$home" skeldir -tA -c "SELECT count(*) FROM bench.ceiling_rows")" = 1000 ] || die "fewer than 1,000 deliveries were stored"
cat > "$home/ceiling.sql" <<'SQL'
\set from random(0, 19) * 50 + 1
\set run random(1, 1000000000000)
WITH src AS (SELECT * FROM bench.ceiling_rows WHERE n BETWEEN :from AND :from + 49),
e AS (
  INSERT INTO skeldir.attribution_events
    (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id, session_id,
     revenue_cents, currency, channel, utm_source, utm_medium, referrer, occurred_at, payload, pii_paths)
  SELECT tenant_id, idempotency_key || ':' || :run, correlation_id, vendor, topic, event_type, external_id,
         order_id || ':' || :run, session_id, revenue_cents, currency, channel, utm_source, utm_medium, referrer,
         occurred_at, payload, pii_paths
    FROM src
  RETURNING tenant_id, id, idempotency_key)
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at)
SELECT e.tenant_id, src.vendor, src.transaction_id || ':' || :run, src.state, src.order_id || ':' || :run, src.amount_cents,
       src.ledger_currency, e.id, src.ledger_occurred_at
  FROM src JOIN e ON e.idempotency_key = src.idempotency_key || ':' || :run;
SQL
ceiling_once() {
  "$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$(pg_port "$home")" -U postgres -n -M prepared -c 2 -j 2 -T "$seconds" \
    -f "$home/ceiling.sql" skeldir | awk '/^tps = / { printf "%.0f", $3 * 50 }'
}

# The realtime revenue sampler: every 50 ms, what the tenant's realtime
# revenue includes so far (its last booking's time).
pg_psql "$home" skeldir -c "CREATE UNLOGGED TABLE bench.lag_samples (at timestamptz NOT NULL, booked timestamptz)" >/dev/null
pg_psql "$home" skeldir -q -v tenant="$tenant" >/dev/null 2>&1 <<'SQL' &
INSERT INTO bench.lag_samples SELECT clock_timestamp(), max(last_booked_at) FROM skeldir.realtime_revenue WHERE tenant_id = :'tenant' \watch 0.05
SQL
sampler=$!
trap 'kill $sampler 2>/dev/null || true; pg_throwaway_cleanup' EXIT INT TERM

pairs=${HTTP_PAIRS:-3}
lines=()
pg_psql "$home" skeldir -c "CREATE TABLE bench.windows (since timestamptz NOT NULL, until timestamptz NOT NULL)" >/dev/null
for i in $(seq 1 "$pairs"); do
  c=$(ceiling_once)
  from=$(pg_psql "$home" skeldir -tA -c "SELECT clock_timestamp()")
  run=$(load -c 64 -rate "$rate")
  pg_psql "$home" skeldir -c "INSERT INTO bench.windows VALUES ('$from', clock_timestamp())" >/dev/null
  # A run whose p99 reached 100 ms or that lost a delivery does not count.
  fits "$run" 100 && h=$(field rate "$run") || h=0
  lines+=("$h $c $(field p99_ms "$run")")
  echo "pair $i: ceiling $c rows/s, HTTP $(field rate "$run")/s p99 $(field p99_ms "$run") ms" >&2
done
half=$(load -c 32 -rate "$(awk -v r="$rate" 'BEGIN { printf "%.0f", r / 2 }')")
report "open loop at half the rate" "$half"
sleep 3 # the last deliveries' refreshes
kill "$sampler"; wait "$sampler" 2>/dev/null || true

# Each delivery of the pairs' runs: booked at recorded_at (its transaction's
# start, so its own commit counts as lag), included at the first sample that
# shows a booking at least as late. Never included counts as an hour.
read -r lag_p50 lag_p95 lag_missing < <(pg_psql "$home" skeldir -tA -F ' ' -v tenant="$tenant" <<'SQL'
CREATE INDEX ON bench.lag_samples (booked, at);
SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY lag))::numeric, 3),
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY lag))::numeric, 3),
       count(*) FILTER (WHERE lag >= 3600)
  FROM (SELECT coalesce(extract(epoch FROM (SELECT min(s.at) FROM bench.lag_samples AS s WHERE s.booked >= l.recorded_at)
                                           - l.recorded_at), 3600) AS lag
          FROM skeldir.revenue_ledger AS l JOIN bench.windows AS w ON l.recorded_at >= w.since AND l.recorded_at < w.until
         WHERE l.tenant_id = :'tenant') AS d;
SQL
)
rss_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$daemon/status")
kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=

printf '%s\n' "${lines[@]}" | awk -v rate="$rate" -v hp99="$(field p99_ms "$half")" -v hrate="$(field rate "$half")" \
    -v hclean="$(clean "$half" && echo 1 || echo 0)" -v lag50="$lag_p50" -v lag95="$lag_p95" -v missing="$lag_missing" \
    -v rss="$rss_kb" '
  { h[NR] = $1; c[NR] = $2; p99[NR] = $3; ratio[NR] = $1 / $2 }
  END {
    printf "\n%-48s %12s %12s %8s\n", "ingest over HTTP (open loop at " rate "/s)", "HTTP/s", "ceiling/s", "ratio"
    for (i = 1; i <= NR; i++)
      printf "%-48s %12.0f %12.0f %8.2f   (p99 %.1f ms%s)\n", "pair " i, h[i], c[i], ratio[i], p99[i], (h[i] > 0 ? "" : ": over 100 ms or a delivery lost, counts 0")
    for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
    med = (NR % 2) ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
    printf "\nmedian ratio HTTP at p99 < 100 ms / batched-insert ceiling: %.2f (target >= 0.5) %s\n", med, (med >= 0.5 ? "ok" : "BELOW TARGET")
    printf "HTTP at half the rate (%.0f/s): p99 %.1f ms (target < 50 ms) %s\n", hrate, hp99, (hp99 < 50 && hclean ? "ok" : "ABOVE TARGET")
    printf "realtime revenue lag at the rate: p50 %.2f s, p95 %.2f s, never shown %d (target p95 <= 2 s) %s\n", lag50, lag95, missing, (lag95 <= 2 ? "ok" : "ABOVE TARGET")
    printf "daemon peak resident memory: %.1f MB (target <= 100 MB) %s\n", rss / 1024, (rss / 1024 <= 100 ? "ok" : "ABOVE TARGET")
  }'
