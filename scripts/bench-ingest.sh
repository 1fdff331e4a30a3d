#!/usr/bin/env bash
# make bench-ingest: webhook ingest throughput as ratios against baselines run
# in the same command on the same throwaway, durable (fsync on, synchronous
# commit) cluster (SPEC §12):
#   1. pgbench inserting the rows a delivery writes (an event and its ledger
#      row) directly, as the superuser: the ceiling for this row shape;
#   2. pgbench calling api.ingest_webhook (tenant lookup, HMAC, parsing, PII
#      stripping, both rows) with signed bodies;
#   3. signed Shopify deliveries over HTTP on loopback to skeldird, from
#      skeldir-load (vegeta): first as fast as answers return, then an open
#      loop at half that peak rate for latency. Percentiles count every
#      delivery, timeouts included.
# Targets: (3) >= 0.5 x (1); (3) >= 0.8 x (2); p99 < 50 ms at half the peak.
#
# Before those, phase sql (issue 15, target 1): 2,000 real-shaped Shopify
# orders/create deliveries (scripts/sql/ingest_deliveries.sql: customer,
# addresses, browser IP, a note, line items, UTM note attributes) through
# api.ingest_webhook in one transaction, against the same event and ledger
# rows (the payload as projected, the same columns) inserted directly in one
# transaction (scripts/sql/ingest_ratio.sql), interleaved in pairs
# (INGEST_PAIRS, default 3: ingest, direct, ingest, direct, ...) on a
# database of its own in the same cluster. It prints each pair's ratio and
# their median against the target (<= 3). BENCH_PHASES picks phases: sql,
# http (1 to 3), or both (the default: "sql http").
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
seconds=${BENCH_SECONDS:-15}
clients=8

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

# BENCH_FEED=1: the ingest path as it runs while the change feed is on. A
# worker with the feed's login creates the slot and switches the mode to
# feed, then stops, so that the numbers are the hot path's alone (no decoding
# and no recompute jobs competing for the two cores); the slot keeps the WAL.
if [ "${BENCH_FEED:-}" = 1 ]; then
  pg_login_role "$home" skeldird_worker skeldir_worker
  pg_feed_login "$home"
  WORKER_DATABASE_URL=$(pg_url "$home" skeldird_worker skeldir) FEED_DATABASE_URL=$(pg_url "$home" skeldird_feed skeldir) \
    SKELDIR_WORKER_METRICS_ADDR=127.0.0.1:0 \
    SKELDIR_LOG_LEVEL=warn bin/skeldird serve --role worker 2>"$home/feed.log" &
  daemon=$!
  for _ in $(seq 1 100); do
    [ "$(pg_psql "$home" skeldir -tA -c "SELECT mode FROM skeldir.change_feed")" = feed ] && break
    sleep 0.1
  done
  kill "$daemon"; wait "$daemon" || true; daemon=
  [ "$(pg_psql "$home" skeldir -tA -c "SELECT mode FROM skeldir.change_feed")" = feed ] || die "the change feed did not start: $(cat "$home/feed.log")"
  echo "change feed mode: feed (the ingest path enqueues nothing)" >&2
fi

read -r tenant key secret < <(pg_psql "$home" skeldir -tA -F ' ' \
  -c "SELECT t ->> 'tenant_id', t ->> 'api_key', t #>> '{webhook_secrets,shopify}' FROM admin.create_tenant('bench') AS t")

# The body every delivery carries, with a fresh order id.
body="'{\"id\": ' || :id || ', \"order_number\": 1001, \"total_price\": \"129.99\", \"currency\": \"USD\", \"created_at\": \"2026-11-26T10:00:00Z\", \"note_attributes\": [{\"name\": \"utm_source\", \"value\": \"google\"}, {\"name\": \"utm_medium\", \"value\": \"cpc\"}]}'"
cat > "$home/direct.sql" <<SQL
\set id random(1, 1000000000000)
WITH e AS (
  INSERT INTO skeldir.attribution_events
    (tenant_id, idempotency_key, correlation_id, vendor, topic, event_type, external_id, order_id, session_id,
     revenue_cents, currency, channel, utm_source, utm_medium, occurred_at, payload, pii_paths)
  VALUES ('$tenant', gen_random_uuid()::text, gen_random_uuid(), 'shopify', 'orders/create', 'purchase', :id, :id, NULL,
          12999, 'USD', 'google_search_paid', 'google', 'cpc', '2026-11-26T10:00:00Z', ($body)::jsonb, '{}')
  RETURNING tenant_id, id, order_id, revenue_cents, currency, occurred_at)
INSERT INTO skeldir.revenue_ledger (tenant_id, vendor, transaction_id, state, order_id, amount_cents, currency, event_id, occurred_at)
SELECT tenant_id, 'shopify', order_id, 'captured', order_id, revenue_cents, currency, id, occurred_at FROM e;
SQL
cat > "$home/ingest.sql" <<SQL
\set id random(1, 1000000000000)
SELECT http_status FROM api.ingest_webhook('shopify', 'order_create',
  jsonb_build_object('x-skeldir-tenant-key', '$key',
                     'x-shopify-hmac-sha256', encode(extensions.hmac(convert_to($body, 'UTF8'), convert_to('$secret', 'UTF8'), 'sha256'), 'base64')),
  convert_to($body, 'UTF8'), gen_random_uuid());
SQL

pgbench_tps() {
  "$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$1" skeldir \
    | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
echo "measuring for ${seconds}s each, $clients pgbench clients, PostgreSQL on 127.0.0.1:$port (durable)" >&2
direct=$(pgbench_tps "$home/direct.sql")
function=$(pgbench_tps "$home/ingest.sql")

addr=127.0.0.1:$(pg_free_port)
DATABASE_URL=$(pg_url "$home" skeldird_api skeldir) SKELDIR_HTTP_ADDR=$addr \
  SKELDIR_LOG_LEVEL=warn bin/skeldird serve --role api 2>"$home/daemon.log" &
daemon=$!
for _ in $(seq 1 100); do
  curl -sf "http://$addr/health/live" >/dev/null && break
  sleep 0.1
done
curl -sf "http://$addr/health/live" >/dev/null || die "skeldird did not start: $(cat "$home/daemon.log")"
load() { bin/skeldir-load -url "http://$addr" -key "$key" -secret "$secret" -duration "${seconds}s" "$@"; }
json_field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

# skeldir-load exits 1 when a delivery got a 5xx, timed out or failed; the
# numbers print first, and the benchmark fails after them.
failed=
peak=$(load -c 32) || failed=1
http=$(json_field rate <<<"$peak")
half=$(load -c 64 -rate "$(awk -v r="$http" 'BEGIN { printf "%.0f", r / 2 }')") || failed=1

awk -v d="$direct" -v f="$function" -v h="$http" \
    -v p50="$(json_field p50_ms <<<"$peak")" -v p99="$(json_field p99_ms <<<"$peak")" \
    -v hp50="$(json_field p50_ms <<<"$half")" -v hp99="$(json_field p99_ms <<<"$half")" \
    -v hrate="$(json_field rate <<<"$half")" \
    -v lost="$(json_field timeouts <<<"$peak")/$(json_field errors <<<"$peak")" \
    -v hlost="$(json_field timeouts <<<"$half")/$(json_field errors <<<"$half")" 'BEGIN {
  printf "\n%-44s %10s\n", "ingest benchmark", "per second"
  printf "%-44s %10.0f\n", "1. pgbench, event + ledger rows inserted directly", d
  printf "%-44s %10.0f\n", "2. pgbench, api.ingest_webhook()", f
  printf "%-44s %10.0f   p50 %.1f ms, p99 %.1f ms, timeouts/errors %s\n", "3. HTTP, signed Shopify deliveries (peak)", h, p50, p99, lost
  printf "%-44s %10.0f   p50 %.1f ms, p99 %.1f ms, timeouts/errors %s\n", "   HTTP at half the peak rate", hrate, hp50, hp99, hlost
  printf "\nratio HTTP / direct insert:   %.2f  (target >= 0.50) %s\n", h / d, (h / d >= 0.5 ? "ok" : "BELOW TARGET")
  printf "ratio HTTP / ingest function: %.2f  (target >= 0.80) %s\n", h / f, (h / f >= 0.8 ? "ok" : "BELOW TARGET")
  printf "p99 at half the peak rate:    %.1f ms (target < 50 ms) %s\n", hp99, (hp99 < 50 ? "ok" : "ABOVE TARGET")
}'
[ -z "$failed" ] || die "some deliveries got a 5xx, timed out or failed: $peak $half"
