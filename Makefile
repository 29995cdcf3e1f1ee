# The two commands of the README: `make demo` and `make test`.
GO ?= go
E2E_PKGS := ./e2e/...
UNIT_PKGS = $(shell $(GO) list ./... | grep -v /e2e)

.PHONY: demo test generate bench node-deps typecheck jstest codes-check bundle-check vet wasm unit e2e

## demo: run the example app on its embedded defaults (http://localhost:8000)
demo:
	$(GO) run ./examples/minimal

## test: everything: types, JS unit tests, bundle freshness, vet, Go unit tests, e2e in Chromium
test: node-deps typecheck jstest codes-check bundle-check vet wasm unit e2e

node-deps:
	npm ci --no-audit --no-fund --loglevel=error

typecheck:
	npx --no-install tsc --noEmit -p .

jstest:
	npm test --silent

## codes-check: fail when a file generated from internal/codes/codes.go is stale
## (bridge/ts/error.ts table, bridge/passkeys/codes_gen.go, server/codes_gen.go, READMEs)
codes-check:
	$(GO) run ./internal/codes/gen -check

## bundle-check: fail when bridge/dist is not what go generate ./bridge makes of bridge/ts
bundle-check:
	$(GO) run ./bridge/internal/build -check

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## wasm: vet and build the js/wasm code (bridge/passkeys, the examples/wasm client)
wasm:
	GOOS=js GOARCH=wasm $(GO) vet ./bridge/passkeys/ ./examples/wasm/...
	GOOS=js GOARCH=wasm $(GO) build -o /dev/null ./examples/wasm/...

## unit: Go tests outside e2e (-short skips only the 1,000,000-begin flood, run by make bench)
unit:
	$(GO) test -count=1 -short $(UNIT_PKGS)

e2e:
	@start=$$(date +%s); $(GO) test -count=1 $(E2E_PKGS); rc=$$?; \
	echo "e2e suite: $$(( $$(date +%s) - start ))s wall time"; exit $$rc

## generate: rebuild bridge/dist from bridge/ts (esbuild's Go API; tsc for .d.ts)
generate: node-deps
	$(GO) generate ./internal/codes
	$(GO) generate ./bridge/...

## bench: benchmarks and the bundle size
bench:
	$(GO) run ./bridge/internal/build -size
	$(GO) test -run '^$$' -bench . -benchmem ./injector/ ./server/
	$(GO) test -count=1 -v -run 'TestBeginFloodIsBounded|TestCeremonyMemoryBudget' ./server/
