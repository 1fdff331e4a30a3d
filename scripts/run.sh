#!/usr/bin/env bash
# make run: with DATABASE_URL set, serve against it (the API alone unless
# WORKER_DATABASE_URL is set too; the change feed only with FEED_DATABASE_URL).
# Otherwise start (or reuse) the project's own PostgreSQL cluster in
# .local/pg, migrate it, create login roles (the change feed's among them)
# and a demo tenant, print the tenant's key, and serve on 127.0.0.1:8080
# until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

if [ -n "${DATABASE_URL:-}" ]; then
  role=api
  [ -n "${WORKER_DATABASE_URL:-}" ] && role=all
  exec bin/skeldird serve --role "$role"
fi

[ -x "$PG_BINDIR/initdb" ] || pg_require_packages
port=${SKELDIR_PG_PORT:-54329}

# The cluster must live where the postgres user can reach it; a checkout under
# a private home directory is not such a place, so fall back to /var/tmp.
mkdir -p .local
home=$PWD/.local/pg
if [ ! -e "$home" ] && [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PWD/.local"; then
  alt=/var/tmp/skeldir-$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)
  mkdir -p "$alt"
  ln -s "$alt" "$home"
fi
home=$(readlink -f "$home")
mkdir -p "$home"

pg_init "$home" "$port" "" skeldir
pg_start "$home"
port=$(pg_port "$home")

fresh=0
if ! pg_psql "$home" postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'skeldir'" | grep -q 1; then
  fresh=1
fi
# dbmate records the versions it applied, not what they held, so the digest
# of every file applied here is kept beside the cluster (migrated.sha256):
# a file since edited, renamed or deleted in the checkout means this
# database was built from other files than the checkout holds. A warning,
# not a failure: the demo may still serve. (A cluster from before this
# record starts one now.)
applied=$home/migrated.sha256
[ "$fresh" = 0 ] || rm -f "$applied"
drift=
if [ -s "$applied" ]; then
  drift=$(sha256sum --quiet -c "$applied" 2>/dev/null |
    sed 's/: FAILED open or read$/: deleted or renamed since/; s/: FAILED$/: edited since/') || true
fi
pg_migrate "$home" skeldir >/dev/null
touch "$applied"
sha256sum db/schema/* db/functions/* db/policies/* db/grants/* |
  awk 'FILENAME == ARGV[1] { seen[$2]; next } !($2 in seen)' "$applied" - > "$applied.new"
cat "$applied.new" >> "$applied" && rm "$applied.new"
pg_login_role "$home" skeldird_api skeldir_api
pg_login_role "$home" skeldird_worker skeldir_worker
pg_login_role "$home" skeldird_admin skeldir_admin
# The change feed's login: LOGIN REPLICATION, a member of no role, and (by
# pg_hba) able to reach the skeldir database only.
pg_feed_login "$home"

export PGPASSFILE="$home/pgpass"
export DATABASE_URL; DATABASE_URL=$(pg_url "$home" skeldird_api skeldir)
export ADMIN_DATABASE_URL; ADMIN_DATABASE_URL=$(pg_url "$home" skeldird_admin skeldir)
export WORKER_DATABASE_URL; WORKER_DATABASE_URL=$(pg_url "$home" skeldird_worker skeldir)
export FEED_DATABASE_URL; FEED_DATABASE_URL=$(pg_url "$home" "$PG_FEED_ROLE" skeldir)

# The demo tenant's key is shown once by the database, so keep it (in the
# git-ignored cluster folder) to show it again on the next run.
demo="$home/demo-tenant.json"
if [ "$fresh" = 1 ] || [ ! -s "$demo" ]; then
  (umask 077; bin/skeldird tenant create --name "Demo Shop" --json > "$demo")
fi
tenant_id=$(sed -n 's/.*"tenant_id": "\([^"]*\)".*/\1/p' "$demo")

# A dashboard user for the demo tenant, its generated password kept beside
# the cluster like the tenant's key.
login="$home/demo-user.txt"
if [ "$fresh" = 1 ] || [ ! -s "$login" ]; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" | bin/skeldird user create --tenant "$tenant_id" --email demo@example.com >/dev/null
  (umask 077; printf '%s\n' "$password" > "$login")
fi
password=$(cat "$login")
api_key=$(sed -n 's/.*"api_key": "\([^"]*\)".*/\1/p' "$demo")
shopify_secret=$(sed -n 's/.*"shopify": "\(whsec_[^"]*\)".*/\1/p' "$demo")

# The tenant's webhook URLs: what a store's or processor's webhook settings
# are given (the token in the path names the tenant; no custom header).
urls=$(bin/skeldird tenant webhook-urls --tenant "$tenant_id" --json)
url() { printf '%s' "$urls" | sed -n "/\"webhook_urls\"/,/}/s/.*\"$1\": \"\([^\"]*\)\".*/\1/p"; }
base=http://127.0.0.1:8080

# A sample Shopify order, signed the way Shopify signs it.
order='{"id":1001,"order_number":1001,"total_price":"129.99","currency":"USD","created_at":"2026-11-26T14:30:00Z","note_attributes":[{"name":"utm_source","value":"google"},{"name":"utm_medium","value":"cpc"}]}'
signature=$(pg_psql "$home" skeldir -tA -v body="$order" -v secret="$shopify_secret" <<'SQL'
SELECT encode(extensions.hmac(convert_to(:'body', 'UTF8'), convert_to(:'secret', 'UTF8'), 'sha256'), 'base64')
SQL
)

cat <<MSG

  PostgreSQL   127.0.0.1:$port (cluster in $home; stop it with: make stop)
  Tenant id    $tenant_id
  API key      $api_key
  Secrets      $demo

  curl -i http://127.0.0.1:8080/health/ready     (and /health/live, /health/worker, /metrics)
  curl -s http://127.0.0.1:9108/metrics          (the worker's job metrics)

  Webhook URLs (paste into each store's or processor's webhook settings;
  the token names the tenant, the vendor's signature proves the sender):

    Shopify      $base$(url shopify)
    Stripe       $base$(url stripe)
    PayPal       $base$(url paypal)
    WooCommerce  $base$(url woocommerce)

  A signed Shopify order (paste it twice: accepted, then duplicate):

  curl -i $base$(url shopify)/order_create \\
    -H 'Content-Type: application/json' \\
    -H 'X-Shopify-Hmac-Sha256: $signature' \\
    --data-raw '$order'

  (The header form, /api/webhooks/shopify/order_create with
  X-Skeldir-Tenant-Key: $api_key, works too.)

  The change feed (/health/ready says "change_feed":"ok") hands each
  committed order to the worker: after the first post, the changes it
  applied go up by two (the event and its ledger row):

  curl -s http://127.0.0.1:9108/metrics | grep '^skeldir_change_feed_changes_total'

  The dashboard API (log in, then send the access token as a bearer):

  curl -s http://127.0.0.1:8080/api/auth/login -H 'Content-Type: application/json' \\
    -d '{"email":"demo@example.com","password":"$password"}'
  curl -s http://127.0.0.1:8080/api/attribution/revenue/realtime -H 'Authorization: Bearer <access_token>'
  curl -s http://127.0.0.1:8080/openapi.json     (every route)

MSG
[ -z "$drift" ] || printf '  warning: the skeldir database was migrated from other files than this checkout holds:\n%s\n  Start over with: make clean && make run\n\n' "$(sed 's/^/    /' <<<"$drift")" >&2
exec bin/skeldird serve
