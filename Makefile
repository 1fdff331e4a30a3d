# Skeldir: `make run` serves a local instance, `make test` runs every test.
# Both need PostgreSQL 15 server binaries; `make test` also needs pgTAP and
# pg_prove, and installs all three with apt when run as root.

SHELL := /bin/bash
GO ?= go

.PHONY: run stop test test-citus test-feed storm bench bench-ingest bench-queue bench-attribution build deps clean \
	migrations-manifest schema-snapshot

GO_SOURCES := $(shell find cmd internal -name '*.go' -not -name '*_test.go') go.mod go.sum

build: bin/skeldird bin/skeldir-load

bin/%: $(GO_SOURCES)
	$(GO) build -o $@ ./cmd/$*

# dbmate and @redocly/cli (the OpenAPI lint a Go test runs) come from npm,
# pinned in package.json and package-lock.json.
node_modules/.bin/dbmate: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: node_modules/.bin/dbmate

run: build deps
	scripts/run.sh

stop:
	@. scripts/pg.sh; home=.local/pg; [ -e "$$home" ] && pg_stop "$$(readlink -f $$home)"; echo "local cluster stopped"

test: deps
	$(GO) vet ./...
	scripts/test.sh

# The migrations on a Citus coordinator and two workers (issue 16): builds
# and installs Citus when missing (as root), names the migration that fails
# and its statement. Not part of make test, which stays plain PostgreSQL.
test-citus: deps
	scripts/test-citus.sh

# Releasing migrations (README, Migrations): append the digests of new files
# (all unlisted ones, or FILES="db/...sql ...") to db/migrations.sha256, and
# rewrite db/schema.sql from the migrations on a throwaway cluster. make test
# fails until both are current.
migrations-manifest:
	scripts/migrations-manifest.sh $(FILES)

schema-snapshot: deps
	scripts/schema-snapshot.sh

# The seed's R3 ingestion storm at 10x its size: six scenarios of 10,000
# deliveries, 200 in flight. (make test runs the same harness small.)
storm: deps
	scripts/test.sh storm

# The change feed's acceptance at SPEC size: 50,000 purchases across 20
# tenants through the API (make test runs it with 4,000).
test-feed: deps
	scripts/test.sh feed

# Benchmarks report ratios against baselines measured in the same run,
# interleaved, with their medians and targets (issue 15); make bench runs
# them all and lists every target at the end.
bench: build deps
	scripts/bench.sh

bench-ingest: build deps
	scripts/bench-ingest.sh

bench-queue: build deps
	scripts/bench-queue.sh

bench-attribution: deps
	scripts/bench-attribution.sh

# The cluster may live under /var/tmp behind the .local/pg link (scripts/run.sh):
# remove it too, or the next make run would find it again.
clean: stop
	if [ -L .local/pg ]; then rm -rf "$$(readlink -f .local/pg)"; fi
	rm -rf bin .local node_modules
