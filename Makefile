# Skeldir: `make run` serves a local instance, `make test` runs every test.
# Both need PostgreSQL 15 server binaries; `make test` also needs pgTAP and
# pg_prove, and installs all three with apt when run as root.

SHELL := /bin/bash
GO ?= go

.PHONY: run stop test build vet deps clean

build: bin/skeldird

bin/skeldird: $(shell find cmd internal -name '*.go' -not -name '*_test.go') go.mod go.sum
	$(GO) build -o $@ ./cmd/skeldird

# dbmate comes from npm, pinned in package.json and package-lock.json.
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

clean: stop
	rm -rf bin .local node_modules
