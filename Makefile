# The two commands of the README: `make demo` and `make test`.
#
# The repository holds several Go modules (the core at the root, and redisstore,
# ginpasskeys, examples, e2e and the bundler, each with its own go.mod and a replace
# directive to this checkout). Every Go command here runs with GOWORK=off: each module
# is built and tested against its own go.mod alone, as its importers get it.
GO ?= go
export GOWORK := off
# Modules whose tests need no browser; e2e is run by the e2e target.
MODULES := . redisstore ginpasskeys examples bridge/internal/build
ALL_MODULES := $(MODULES) e2e

.PHONY: demo demo-minimal screenshots test setup generate bench load node-deps typecheck jstest pack-test codes-check bundle-check vet wasm wasm-size unit e2e tidy-check

## demo: run Lucky Cat, the product example, on its embedded defaults (http://localhost:8004;
## SQLite file examples/lucky-cat.db); examples/product/README.md says why this one
demo:
	cd examples && $(GO) run ./product

## demo-minimal: run the minimal example (gin; http://localhost:8000)
demo-minimal:
	cd examples && $(GO) run ./minimal

## screenshots: regenerate examples/product/screenshots/*.png in headless Chromium with a
## virtual authenticator (e2e/product_screenshots_test.go); commit them
screenshots:
	cd e2e && PRODUCT_SCREENSHOTS=$(CURDIR)/examples/product/screenshots $(GO) test -count=1 -run '^TestProductScreenshots$$' .

## test: everything: set-up, types, JS unit and package tests, generated files, vet,
## the Go tests of every module, e2e in Chromium
test: setup node-deps typecheck jstest pack-test codes-check bundle-check vet wasm wasm-size unit e2e

## setup: Chromium and redis-server, installed with apt where missing (scripts/test-deps)
setup:
	@bash scripts/test-deps

node-deps:
	npm ci --no-audit --no-fund --loglevel=error

typecheck:
	npx --no-install tsc --noEmit -p .

jstest:
	npm test --silent

## pack-test: npm pack, install into a project outside the tree, tsc --strict on TS 5 and 7
pack-test:
	npm run --silent test:pack

## codes-check: fail when a file generated from internal/codes/codes.go is stale
codes-check:
	$(GO) run ./internal/codes/gen -check

## bundle-check: fail when bridge/dist is not what go generate ./bridge makes of bridge/ts
bundle-check:
	cd bridge/internal/build && $(GO) run . -check

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@set -e; for m in $(ALL_MODULES); do echo "go vet ($$m)"; (cd $$m && $(GO) vet ./...); done
	@$(MAKE) --no-print-directory tidy-check

## tidy-check: fail when a module's go.mod or go.sum is not what go mod tidy makes
tidy-check:
	@set -e; for m in $(ALL_MODULES); do (cd $$m && $(GO) mod tidy -diff >/dev/null) || { echo "go.mod of $$m is not tidy: cd $$m && go mod tidy"; exit 1; }; done

## wasm: vet and build the js/wasm code (bridge/passkeys, the examples/wasm client), and
## test bridge/passkeys in Node against a fake bridge (the Go distribution's go_js_wasm_exec)
wasm:
	GOOS=js GOARCH=wasm $(GO) vet ./bridge/passkeys/
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" ./bridge/passkeys/
	cd examples && GOOS=js GOARCH=wasm $(GO) vet ./wasm/... && GOOS=js GOARCH=wasm $(GO) build -o /dev/null ./wasm/...

## wasm-size: fail when bridge/passkeys costs a Go wasm program more than 100 KiB gzipped
## over a syscall/js hello world (bridge/passkeys/size_test.go builds both)
wasm-size:
	$(GO) test -count=1 -v -run '^TestWasm(Size|Imports)$$' ./bridge/passkeys/

## unit: Go tests of every module but e2e (-short skips the 1,000,000-begin flood, run
## by make bench, and the wasm size check, run by make wasm-size)
unit:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) test -count=1 -short ./...); done

e2e:
	@start=$$(date +%s); (cd e2e && $(GO) test -count=1 ./...); rc=$$?; \
	echo "e2e suite: $$(( $$(date +%s) - start ))s wall time"; exit $$rc

## generate: rebuild bridge/dist from bridge/ts (esbuild's Go API; tsc for .d.ts)
generate: node-deps
	$(GO) generate ./internal/codes
	$(GO) generate ./bridge/...

## load: whole ceremonies at concurrency 64 for 20 s against two example instances sharing
## one redis-server, with the CPU floor (e2e/load; not part of make test).
## make load LOAD_FLAGS='-duration 60s -concurrency 128' changes them.
LOAD_FLAGS ?=
load:
	cd e2e && $(GO) run ./load $(LOAD_FLAGS)

## bench: benchmarks and the bundle size
bench:
	cd bridge/internal/build && $(GO) run . -size
	$(GO) test -run '^$$' -bench . -benchmem ./injector/ ./server/
	cd redisstore && $(GO) test -run '^$$' -bench . -benchmem .
	$(GO) test -count=1 -v -run 'TestBeginFloodIsBounded|TestCeremonyMemoryBudget' ./server/
