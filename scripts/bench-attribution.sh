#!/usr/bin/env bash
# make bench-attribution: recompute all five attribution models for 100,000
# purchases (about 300,000 touchpoints) of one tenant on a throwaway durable
# cluster, from scratch and again with nothing changed, interleaved with a
# baseline in rounds (issue 15: <= 1.5 s and <= 0.5 s). The baseline only
# reads what a recompute must read: every purchase of the window joined to
# its session's touches.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

purchases=${ATTRIBUTION_PURCHASES:-100000}
pg_throwaway "shared_buffers = 256MB
work_mem = 64MB" skeldir

tenant=$(pg_psql "$home" skeldir -tA -c "SELECT admin.create_tenant('bench') ->> 'tenant_id'")
pg_psql "$home" skeldir -v tenant="$tenant" -v purchases="$purchases" -f scripts/sql/attribution_data.sql >/dev/null
pg_psql "$home" skeldir -c "VACUUM ANALYZE skeldir.attribution_events" >/dev/null

# Each timing is one psql session's \timing of one statement, in ms.
timed() {
  pg_psql "$home" skeldir -tA <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
SET ROLE skeldir_owner;
SET enable_nestloop = off;
SELECT set_config('app.current_tenant_id', '$tenant', false) \\g /dev/null
$1
\\timing on
$2 \\g /dev/null
SQL
}
recompute="SELECT skeldir.recompute_attribution('2026-01-01', '2027-01-01')"
baseline() {
  timed "" "SELECT count(*), sum(t.revenue_cents)
  FROM skeldir.attribution_events AS p
  JOIN skeldir.attribution_events AS t ON t.tenant_id = p.tenant_id AND t.session_id = p.session_id
   AND t.occurred_at BETWEEN p.occurred_at - interval '30 days' AND p.occurred_at
 WHERE p.tenant_id = '$tenant' AND p.event_type = 'purchase' AND p.occurred_at >= '2026-01-01' AND p.occurred_at < '2027-01-01'"
}

# Interleaved rounds: baseline, from scratch (the tenant's credits deleted
# first, outside the timing), baseline, nothing changed.
rounds=${ATTRIBUTION_ROUNDS:-3}
lines=()
for i in $(seq 1 "$rounds"); do
  b1=$(baseline); first=$(timed "DELETE FROM skeldir.attribution_credits;" "$recompute")
  b2=$(baseline); again=$(timed "" "$recompute")
  lines+=("$b1 $first $b2 $again")
  echo "round $i: baseline $b1 ms, from scratch $first ms, baseline $b2 ms, nothing changed $again ms" >&2
done
rows=$(pg_psql "$home" skeldir -tA -c "SELECT count(*) FROM skeldir.attribution_credits")
printf '%s\n' "${lines[@]}" | awk -v n="$purchases" -v rows="$rows" '
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  { fs[NR] = $2; fr[NR] = $2 / $1; as[NR] = $4; ar[NR] = $4 / $3
    printf "  round %d: from scratch %6.2f s (%5.1fx baseline), nothing changed %6.2f s (%5.1fx baseline)\n",
           NR, $2 / 1000, $2 / $1, $4 / 1000, $4 / $3 }
  END {
    printf "\nattribution recompute, %d purchases, 5 models, %d purchase-channel rows (medians of %d rounds)\n", n, rows, NR
    f = median(fs, NR); a = median(as, NR)
    printf "  from scratch:    %6.2f s, %5.1fx baseline %s\n", f / 1000, median(fr, NR), (f <= 1500 ? "ok" : "(target <= 1.5 s: ABOVE TARGET)")
    printf "  nothing changed: %6.2f s, %5.1fx baseline %s\n", a / 1000, median(ar, NR), (a <= 500 ? "ok" : "(target <= 0.5 s: ABOVE TARGET)")
  }'
