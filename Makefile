# pgrmw — see README.md. Every target installs what it needs first (pg-deps).
SHELL := /bin/bash
GO    ?= go
BIN   := bin/pgrmw

.PHONY: all build test test-unit conformance bench demo test-browser test-orm pg-deps vet fmt clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pgrmw

# The PostgreSQL server binaries (initdb, postgres, psql, pgbench) are needed
# by tests, the demo and benchmarks. Installed from Debian's packages when
# absent and running as root; otherwise we say exactly what to run.
pg-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1 && [ -z "$$PGRMW_PG_BIN" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "PostgreSQL server binaries missing: installing (apt-get install -y postgresql)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib) >/dev/null || exit 1; \
	  else \
	    echo "PostgreSQL server binaries missing. Run: sudo apt-get install -y postgresql postgresql-contrib"; exit 1; \
	  fi; \
	fi

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

test: pg-deps vet test-unit conformance

test-unit:
	$(GO) test -count=1 ./...

# The pgx v5 test suite directly and through the proxy (same results
# required), then psql and pgbench (-M simple/extended/prepared) through it.
conformance: pg-deps
	$(GO) run ./internal/conformance
	$(GO) test -count=1 -run 'Psql|Pgbench' ./proxy

# One run, one table: pgbench direct vs pgrmw (log mode, analysis on) vs the
# bare relay vs PgBouncer (session mode), alternating; then the Go benchmarks
# (analyzer per event, lint throughput, block-mode latency) with their own
# in-run baselines. BENCH_ARGS passes flags to pgrmw-bench (e.g. -duration 5s).
bench: pg-deps build
	@command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null) || echo "PgBouncer not installed and cannot install it: its column is skipped"; }
	$(GO) build -o bin/pgrmw-bench ./cmd/pgrmw-bench
	./bin/pgrmw-bench -pgrmw $(BIN) $(BENCH_ARGS)
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./analyzer/... ./lint/... ./internal/pipeline/... ./proxy/...
	./scripts/bench-lint.sh

demo: pg-deps build
	./$(BIN) demo

# Headless Chromium opens a generated report from disk; the test checks the
# DOM (counts, filters, sort, injected markup inert) and writes light and dark
# screenshots to out/browser/. Installs Debian's chromium when absent and root
# (about 20 s here with a warm mirror); otherwise skips with a visible message.
test-browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$$PGRMW_CHROMIUM" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "chromium missing: installing (apt-get install -y chromium)"; start=$$(date +%s); \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || { echo "test-browser SKIPPED: installing chromium failed (run: sudo apt-get install -y chromium)"; exit 0; }; \
	    echo "chromium installed in $$(( $$(date +%s) - start ))s"; \
	  else \
	    echo "test-browser SKIPPED: chromium not installed and cannot install it (run: sudo apt-get install -y chromium)"; exit 0; \
	  fi; \
	fi
	mkdir -p out/browser
	PGRMW_BROWSER=1 $(GO) test -count=1 -v -run 'TestBrowserReport' ./report/
	@echo "screenshots: out/browser/report-light.png out/browser/report-dark.png"

# Real ORM traffic through the proxy: GORM (also in make test), Sequelize and
# TypeORM (npm ci into internal/ormtraffic/node), Django and ActiveRecord
# (Debian's python3-django, python3-psycopg2, ruby-activerecord, ruby-pg when
# root), then the recorded fixtures in testdata/orm. An ORM whose runtime or
# packages cannot be installed is skipped with a visible message.
ORM_NODE := internal/ormtraffic/node
test-orm: pg-deps
	@start=$$(date +%s); \
	if ! command -v npm >/dev/null; then echo "test-orm: npm not installed: Sequelize and TypeORM will be SKIPPED"; \
	elif [ ! -d $(ORM_NODE)/node_modules ]; then \
	  (cd $(ORM_NODE) && npm ci --no-audit --no-fund --loglevel=error) \
	    && echo "test-orm: npm ci took $$(( $$(date +%s) - start ))s" \
	    || echo "test-orm: npm ci failed (registry unreachable?): Sequelize and TypeORM will be SKIPPED"; \
	fi
	@start=$$(date +%s); \
	if ! /usr/bin/python3 -c 'import django, psycopg2' 2>/dev/null || ! ruby -ractive_record -rpg -e '' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-django python3-psycopg2 ruby-activerecord ruby-pg >/dev/null 2>&1 \
	      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-django python3-psycopg2 ruby-activerecord ruby-pg) >/dev/null 2>&1) \
	      && echo "test-orm: Django/ActiveRecord packages installed in $$(( $$(date +%s) - start ))s" \
	      || echo "test-orm: installing Django/ActiveRecord failed: they will be SKIPPED"; \
	  else echo "test-orm: Django/ActiveRecord missing and not root: they will be SKIPPED (sudo apt-get install -y python3-django python3-psycopg2 ruby-activerecord ruby-pg)"; fi; \
	fi
	PGRMW_ORM_EXTERNAL=1 $(GO) test -count=1 -v -run 'TestGORM|TestExternalORMs|TestORMFixtures' ./internal/ormtraffic/

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out
