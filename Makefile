# mindful — `make help` lists the targets.

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 1

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mindful-app/mindful/daemon/version.Version=$(VERSION)
BIN := bin/mindful
GO_TEST_FLAGS ?= -race -timeout 30m

.DEFAULT_GOAL := help
.PHONY: help run build ext lint-ext test test-go test-ext lint bench screenshot deps-run deps-test clean

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

test: deps-test lint lint-ext test-ext test-go ## run every test, the real-browser ones included

test-go: ## Go unit, integration and end-to-end tests (with the race detector)
	go test $(GO_TEST_FLAGS) ./...

test-ext: ## the extension's unit tests (node --test)
	node --test extension/test/

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	GOOS=windows go vet ./daemon/internal/instance/ ./daemon/datadir/ ./installer/...
	GOOS=darwin go vet ./daemon/internal/instance/ ./daemon/datadir/ ./installer/...

bench: deps-test ## benchmarks: store, protocol, matcher, daemon latency, and real Chromium and Firefox side by side (numbers go into the issue notes)
	go test -run '^$$' -bench . -benchmem $$(go list ./daemon/... | grep -v /e2e)
	CI=true go test -run '^$$' -bench . -benchtime 20x ./daemon/internal/e2e/

screenshot: ## the tray icon with its menu open, under Xvfb + trayer: writes dist/screenshot-tray.png
	tray/screenshot.sh dist/screenshot-tray.png

deps-run:
	@.ci/deps.sh run

deps-test:
	@.ci/deps.sh test

clean: ## remove build output
	rm -rf bin dist
