# BOS Messenger. Everything builds and tests with -tags goolm (mautrix's pure-Go olm).
# CI=true comes from the environment and reaches the tests as it is (with it, no test skips).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)

GO       ?= go
TAGS     := goolm
BENCH    ?= .
FUZZTIME ?= 20s
WINENV   := GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc

.PHONY: deps build build-windows mobile-check lint test fuzz bench gui-bench bench-compare demo clean

deps:
	bash scripts/deps.sh

build:
	$(GO) build -tags $(TAGS) -o bin/bosctl ./cmd/bosctl
	$(GO) build -tags $(TAGS) -o bin/bosmessenger ./cmd/bosmessenger

# Cross-build for Windows (cold: about 6.5 minutes on 2 cores).
build-windows:
	$(WINENV) $(GO) build -tags $(TAGS) -ldflags "-s -w" -o bin/windows/bosctl.exe ./cmd/bosctl
	$(WINENV) $(GO) build -tags $(TAGS) -ldflags "-s -w -H=windowsgui" -o bin/windows/bosmessenger.exe ./cmd/bosmessenger

# The pure-Go parts for the other platforms, cgo off (no NDK or Xcode here): every package without
# Fyne for android and ios (scripts/mobile-check.sh, docs/MOBILE.md), the policy for macOS and Windows.
mobile-check:
	bash scripts/mobile-check.sh
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build ./mobile/ ./session/policy/... ./session/fedlist/...
	GOOS=android GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./mobile/ ./session/policy/...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./session/policy/...
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) vet ./session/policy/... ./internal/capture/

lint: mobile-check
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l: not formatted:"; echo "$$unformatted"; exit 1; fi
	@if ! $(GO) mod tidy -diff >/dev/null 2>&1; then echo "go.mod/go.sum not tidy (run go mod tidy):"; $(GO) mod tidy -diff || true; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(GO) vet -tags $(TAGS),guibench ./session ./cmd/bosmessenger
	"$$($(GO) env GOPATH)/bin/staticcheck" -tags $(TAGS) ./...
	@# Errors are matched by type (errors.Is/As, typed codes), never by their text. Tests may still
	@# look at a text (that it names the file at fault, or leaks no secret).
	@if grep -rnE 'strings\.(Contains|HasPrefix|HasSuffix|EqualFold|Index)\([a-zA-Z_.]*([eE]rr)[a-zA-Z_]*\.Error\(\)|\.Error\(\) *[!=]=|[!=]= *[a-zA-Z_.]*([eE]rr)[a-zA-Z_]*\.Error\(\)' \
		session crypto ui --include='*.go' --exclude='*_test.go'; then \
		echo "error text matched above: use errors.Is/errors.As or a typed code"; exit 1; fi

# The full suite, stage by stage with times: lint (with the mobile compile check), all tests
# against real Dendrite servers on loopback (internal/testserver), the packages (signed with a
# throwaway certificate; the Windows cross-build catches Linux-only code), the registry policy test
# of the packaged bosctl.exe under wine, the reproducibility check and the smoke tests of the
# installed packages.
test:
	bash scripts/stage.sh deps $(MAKE) --no-print-directory deps
	bash scripts/stage.sh lint $(MAKE) --no-print-directory lint
	bash scripts/stage.sh go-test $(GO) test -tags $(TAGS) -race -count=1 -timeout 40m ./...
	bash scripts/stage.sh package $(MAKE) --no-print-directory package-ci
	# the registry policy channel of the real bosctl.exe under wine (internal/winetest)
	bash scripts/stage.sh wine-policy env BOSCTL_EXE=$(CURDIR)/dist/windows/bosctl.exe $(GO) test -tags $(TAGS) -count=1 -run TestRegistryPolicyUnderWine ./internal/winetest/
	bash scripts/stage.sh repro-check $(MAKE) --no-print-directory repro-check
	bash scripts/stage.sh smoke-package $(MAKE) --no-print-directory smoke-package

# Short runs of every fuzz target in the tree (found by grep, so new ones are picked up).
fuzz:
	@for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
		for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$f" | cut -d' ' -f2); do \
			echo "== $$fn ($$(dirname "$$f"))"; \
			$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) "$$(dirname "$$f")"; \
		done; \
	done

# Benchmarks; filter with BENCH=regexp (e.g. make bench BENCH=Sync). The 200-rooms x 50-messages
# sync benchmark first seeds a Dendrite server (about 6 minutes when its cache is cold), and the
# alert to 200 members (make bench BENCH=Alert200) runs about 40 minutes, hence the long timeout.
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench '$(BENCH)' -benchmem -timeout 90m ./...

# GUI figures under Xvfb (docs/PERFORMANCE.md, section GUI): an empty Fyne window as the floor, then
# bosmessenger's cold start on an account of 500 rooms x 100 messages and a 10 000-message room
# scrolled to its first message; 5 rounds, medians. The tag guibench adds the seeding hook
# (session/seed_guibench.go), which production builds never contain.
gui-bench:
	$(GO) test -tags $(TAGS),guibench -run '^$$' -bench GUI -benchtime 5x -timeout 40m ./cmd/bosmessenger

# Login to a complete room list, matrix-js-sdk (internal/jspeer) against bosctl, interleaved, fresh
# device each run; prints medians and the time and peak-RSS ratios (docs/PERFORMANCE.md). Seeds a
# Dendrite with 200 rooms x 50 messages first (cached; cold about 6 minutes on a quiet machine).
# Flags: BENCH_COMPARE_FLAGS='-runs 5 -rooms 200 -messages 50 -limit 50'. SCALE=2000 is the scale
# account (2,000 rooms, its own cached seed): the same as BENCH_COMPARE_FLAGS='-rooms 2000'.
bench-compare:
	$(GO) run -tags $(TAGS) ./internal/tools/benchcompare $(if $(SCALE),-rooms $(SCALE)) $(BENCH_COMPARE_FLAGS)

# Call figures (docs/PERFORMANCE.md, Calls): media over loopback (mouth-to-ear latency, CPU and RSS
# of a call, packet loss through a lossy UDP relay), then the setup time of ours<->ours and
# ours<->matrix-js-sdk in Chromium, interleaved in one run inside a network namespace.
.PHONY: bench-calls
bench-calls:
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Call(Latency|CPU|Loss)' -benchtime 20x ./session/callmedia
	$(GO) test -tags $(TAGS) -run '^$$' -bench CallSetup -benchtime 5x -timeout 30m ./session

demo: deps build
	bash scripts/demo.sh

clean:
	rm -rf bin dist

# Packaging (make package: .msi, .deb, tarball, SBOM into dist/), smoke tests, repro-check.
include scripts/package.mk
