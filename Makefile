# Clout — build, run and test. See README.md.
GO        ?= go
BIN       := bin/clout
VENDOR    := assets/vendor
ADDR      ?= :8080
DB        ?= clout.db
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all assets build run test reliability bench bench-store fuzz lint clean generate screenshots

all: build

# Browser and renderer assets come from npm (package-lock.json pins them) and are
# embedded with go:embed; they are build output, not committed.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/topojson-client/dist/topojson-client.min.js $(VENDOR)/topojson-client.min.js
	cp node_modules/world-atlas/countries-110m.json $(VENDOR)/countries-110m.json
	cp node_modules/@resvg/resvg-wasm/index_bg.wasm $(VENDOR)/resvg.wasm
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf $(VENDOR)/DejaVuSans.ttf
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf $(VENDOR)/DejaVuSans-Bold.ttf
	touch $@

assets: $(VENDOR)/.stamp

build: assets
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/clout

run: build
	./$(BIN) serve --addr $(ADDR) --db $(DB)

test: assets
	$(GO) test -race -count=1 -timeout 30m ./...

# The hostile-input and fault suite: truncated and entity-laden workbooks, kill -9
# during imports, parallel and slow uploads, two writers on one SQLite file, login
# guessing, oversized job sources. The tests are named TestReliability*, need the
# built binary's code only (loopback, temporary directories), and run without -race
# so that the memory figures they assert are the real process's.
reliability: assets
	CLOUT_RELIABILITY=1 $(GO) test -count=1 -run 'Reliability' -timeout 30m ./...

# Benchmarks (the speed and memory targets and results are in docs/benchmarks.md).
# Some compare against Chromium (chromium), the sqlite3 CLI (sqlite3) or run wrk
# when they are installed. bench-store generates the store of the seed plus 10 M
# observations in BENCH_DIR (once; delete the file to make it again) and runs
# the query benchmark on it next to the seed-only store.
BENCH_DIR ?= $(or $(TMPDIR),/tmp)/clout-bench
bench-store: assets
	CLOUT_BENCH_DIR=$(BENCH_DIR) $(GO) test -run '^$$' -bench 'QueriesStoreSize' -benchtime 1x -timeout 60m ./dashboard

bench: assets bench-store
	$(GO) test -run '^$$' -bench . -skip 'QueriesStoreSize' -benchmem -benchtime 3x -timeout 60m ./...

FUZZTIME ?= 60s
fuzz: assets
	$(GO) test -run '^$$' -fuzz FuzzImport -fuzztime $(FUZZTIME) ./data/importer

# The screenshots of the README and docs/: the built binary serves the embedded
# seed data from a temporary directory on a free loopback port, and headless
# Chromium (chromium on PATH, or CLOUT_CHROMIUM) photographs the main pages at
# 1400 px light and dark and at 390 px into SHOTS.
SHOTS ?= docs/screenshots
screenshots: build
	$(GO) run ./cmd/clout-screenshots -bin $(BIN) -out $(SHOTS)

# Rebuild the seed workbook from ../shared/reference-data.
generate:
	$(GO) generate ./data/seed

# Linters are pinned and fetched from the Go module proxy by `go run`, so a fresh
# machine needs nothing installed beforehand. deadcode counts the tests as users
# (-test), so only code that nothing at all calls is reported.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    := golang.org/x/tools/cmd/deadcode@v0.52.0

lint: assets
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
	@out=$$($(GO) run $(DEADCODE) -test ./...) || exit 1; if [ -n "$$out" ]; then echo "deadcode: unreachable functions:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin $(VENDOR) node_modules
