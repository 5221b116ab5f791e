# Clout — build, run and test. See README.md.
GO        ?= go
BIN       := bin/clout
VENDOR    := assets/vendor
ADDR      ?= :8080
DB        ?= clout.db
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all assets build run test bench fuzz lint clean generate

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
	$(GO) test -race -count=1 ./...

# Benchmarks (speed and memory targets of DESIGN §10; results in docs/benchmarks.md).
# Some compare against Chromium (chromium) or run wrk when they are installed.
bench: assets
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./...

FUZZTIME ?= 60s
fuzz: assets
	$(GO) test -run '^$$' -fuzz FuzzImport -fuzztime $(FUZZTIME) ./data/importer

# Rebuild the seed workbook from ../shared/reference-data.
generate:
	$(GO) generate ./data/seed

lint: assets
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin $(VENDOR) node_modules
