# The whole set-up is two commands: `make demo` and `make test` (see README.md).
GO      ?= go
BIN     := bin/portale
VENDOR  := themes/portale/static/vendor/bootstrap-italia
NPM_OK  := node_modules/.package-lock.json
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/comune-torino/portale/internal/version.Version=$(VERSION)

.PHONY: all build assets demo test vet fmt bench clean

all: build

$(NPM_OK): package.json package-lock.json
	npm ci --no-audit --no-fund

# Front-end assets come from node_modules at build time; they are never committed.
node_modules/.portale-assets.stamp: $(NPM_OK)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)
	cp -R node_modules/bootstrap-italia/dist/css node_modules/bootstrap-italia/dist/js \
	      node_modules/bootstrap-italia/dist/fonts node_modules/bootstrap-italia/dist/svg $(VENDOR)/
	rm -f $(VENDOR)/css/*.map $(VENDOR)/js/*.map
	find cms-ui/dist -mindepth 1 ! -name LEGGIMI.txt -delete
	cp node_modules/decap-cms/dist/decap-cms.js node_modules/decap-cms/dist/decap-cms.js.LICENSE.txt \
	   node_modules/decap-cms/dist/*.decap-cms.js cms-ui/dist/
	cp node_modules/mammoth/mammoth.browser.min.js node_modules/xlsx/dist/xlsx.full.min.js cms-ui/dist/
	cp node_modules/mammoth/LICENSE cms-ui/dist/mammoth.LICENSE.txt
	cp node_modules/xlsx/LICENSE cms-ui/dist/xlsx.LICENSE.txt
	touch $@

assets: node_modules/.portale-assets.stamp

build: assets
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/portale

demo: build
	$(BIN) demo --data ./var/demo --addr 127.0.0.1:8080

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

test: build vet
	PORTALE_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/... ./netlify-style-deploy/...

clean:
	rm -rf bin $(VENDOR)
