# mindful — `make help` lists the targets.

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 1

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mindful-app/mindful/daemon/version.Version=$(VERSION)
BIN := bin/mindful
GO_TEST_FLAGS ?= -race -timeout 60m

.DEFAULT_GOAL := help
.PHONY: help run build ext lint-ext test test-go test-ext lint lint-mod bench fuzz soak screenshot deps-run deps-test clean

help: ## show this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

run: deps-run build ## build and start the daemon in the foreground (default data dir, 127.0.0.1:17717)
	./$(BIN) run

build: ## build bin/mindful
	go build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mindful

ext: ## dist/chrome, dist/firefox, a zip of each, dist/mindful-firefox-VERSION.xpi and the source zip for add-on review
	go run ./installer/cmd/extpack -src extension -out dist $(if $(EXT_VERSION),-version $(EXT_VERSION))

lint-ext: ext ## web-ext lint (npm's web-ext, pinned in extension/package.json) on dist/firefox: no errors allowed
	cd extension && NO_UPDATE_NOTIFIER=1 npx --no-install web-ext lint --source-dir ../dist/firefox

test: deps-test lint lint-ext test-ext test-go fuzz ## run every test, the real-browser ones included, and each fuzz target for FUZZTIME

# One version for the binary, the extension and the .deb: `make dist
# DIST_VERSION=1.2.3`; by default the extension's (extension/manifests/base.json).
DIST_VERSION ?= $(shell sed -n 's/^ *"version": *"\([0-9.]*\)".*/\1/p' extension/manifests/base.json | head -n1)
.PHONY: dist
dist: ## release build in dist/: binary, Chromium zip, Firefox xpi + source zip, man page and completions, .deb (one DIST_VERSION)
	$(MAKE) ext EXT_VERSION=$(DIST_VERSION)
	go build -trimpath -ldflags '-s -w -X github.com/mindful-app/mindful/daemon/version.Version=$(DIST_VERSION)' -o dist/mindful ./cmd/mindful
	go run ./cmd/mindful/internal/gendocs -out dist/share
	go run ./installer/cmd/mkdeb -bin dist/mindful -share dist/share -version $(DIST_VERSION) -out dist
	@test "$$(dist/mindful version)" = "mindful $(DIST_VERSION)" || { echo "dist/mindful says '$$(dist/mindful version)', want $(DIST_VERSION)" >&2; exit 1; }
	@for m in dist/chrome/manifest.json dist/firefox/manifest.json; do \
	  grep -Eq '"version": *"$(DIST_VERSION)"' $$m || { echo "$$m is not version $(DIST_VERSION)" >&2; exit 1; }; done
	$(MAKE) dist-windows DIST_VERSION=$(DIST_VERSION)
	@ls -1 dist/mindful dist/*.zip dist/*.xpi dist/*.deb dist/*.msi

# The Windows release, cross-built with Debian's mingw-w64 (cgo: SQLite and
# the tray) and packaged with Debian's wixl: a GUI-subsystem mindful.exe
# (no console window at login) in a zip, and a per-user MSI.
WIN_CC ?= x86_64-w64-mingw32-gcc
.PHONY: dist-windows
dist-windows: ## Windows release in dist/: mindful_VERSION_windows_amd64.zip (mindful.exe) and .msi
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WIN_CC) go build -trimpath -ldflags '-s -w -H windowsgui -X github.com/mindful-app/mindful/daemon/version.Version=$(DIST_VERSION)' -o dist/windows/mindful.exe ./cmd/mindful
	go run ./installer/cmd/mkwin -exe dist/windows/mindful.exe -version $(DIST_VERSION) -out dist

test-go: ## Go unit, integration and end-to-end tests (with the race detector)
	go test $(GO_TEST_FLAGS) ./...

# Each fuzz target runs for FUZZTIME on top of its seed corpus in the
# package's testdata/fuzz/<target>/ (a failure the fuzzer finds is written
# there too: commit it with the fix).
FUZZTIME ?= 3s
FUZZ_TARGETS := protocol:FuzzDecode feeds:FuzzMatch schedule:FuzzParseWeekly summary:FuzzSettings
fuzz: ## the fuzz targets (protocol decoder, feed matcher, schedule parser, settings), FUZZTIME each (default 3s)
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; fn=$${t##*:}; \
	  go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./daemon/internal/$$pkg/ || exit 1; \
	done

soak: deps-test ## the full-size reliability run: SIGKILLs under streaming clients, hostile clients, 500 sockets, full disk, damaged database; prints the README's Reliability table
	@mkdir -p dist; CI=true go test -tags soak -count=1 -timeout 60m -run '^TestSoak$$' -v ./daemon/internal/e2e/ > dist/soak.log 2>&1 \
	  || { tail -50 dist/soak.log; echo "soak failed: see dist/soak.log" >&2; exit 1; }
	@sed -n '/^RELIABILITY-BEGIN/,/^RELIABILITY-END/p' dist/soak.log | sed '1d;$$d'
	@grep -o 'SOAK damaged-db: .*' dist/soak.log | sed -E 's/SOAK damaged-db: events=([0-9]+) saved=([0-9]+) lost=([0-9]+) recover=([0-9.]+)s? pairing=([a-z]+) refused-while-damaged=([a-z]+) stored-after=([0-9\/]+).*/| damaged database: 64 KiB of garbage in a year of heavy use | `mindful run` on it, then `mindful db recover` | events refused while damaged: \6; **\2 of \1 events saved** (\3 lost with the garbage) in \4 s; pairing \5; events stored after: \7 |/'

test-ext: ## the extension's unit tests (node --test)
	node --test extension/test/

lint: lint-mod ## gofmt, go vet, tidy go.mod, no test-only module in the binary
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go vet -tags soak ./daemon/internal/e2e/
	GOOS=windows go vet ./daemon/internal/instance/ ./daemon/datadir/ ./installer/... ./tray/ ./cmd/mindful/internal/shutdown/
	GOOS=darwin go vet ./daemon/internal/instance/ ./daemon/datadir/ ./installer/...

# Modules only tests use: the binary must never link them (go version -m).
TEST_ONLY_MODULES := github.com/chromedp/chromedp github.com/chromedp/cdproto github.com/go-json-experiment/json

lint-mod: build ## go.mod and go.sum are tidy, and bin/mindful links no test-only module
	@go mod tidy -diff >/dev/null 2>&1 || { echo "go.mod/go.sum are not tidy (run go mod tidy):" >&2; go mod tidy -diff >&2; exit 1; }
	@deps=$$(go version -m $(BIN) | awk '$$1 == "dep" {print $$2}'); \
	  echo "$$deps" | grep -qx github.com/mattn/go-sqlite3 || { echo "go version -m $(BIN) lists no dependencies" >&2; exit 1; }; \
	  for m in $(TEST_ONLY_MODULES); do \
	    if echo "$$deps" | grep -qx "$$m"; then echo "$(BIN) links the test-only module $$m (go version -m $(BIN))" >&2; exit 1; fi; done

bench: deps-test ## benchmarks: store, protocol, matcher, daemon latency, idle CPU/RSS, reconnect under token guessing, state fan-out, real Chromium and Firefox side by side, the prompt's paint against a minimal interstitial (numbers go into the issue notes)
	go test -run '^$$' -bench . -benchmem $$(go list ./daemon/... | grep -v /e2e)
	CI=true go test -timeout 90m -run '^$$' -bench . -benchtime 20x ./daemon/internal/e2e/

screenshot: ## the tray menu (Xvfb + trayer) and the dashboard in headless Chromium: dist/screenshot-{tray,today,history}.png
	tray/screenshot.sh dist/screenshot-tray.png
	mkdir -p dist && MINDFUL_SCREENSHOT_DIR=$(CURDIR)/dist CI=true go test -count=1 -run '^TestDashboard$$' ./daemon/internal/e2e/

deps-run:
	@.ci/deps.sh run

deps-test:
	@.ci/deps.sh test

clean: ## remove build output
	rm -rf bin dist
