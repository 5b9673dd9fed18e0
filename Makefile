# Banyan's front door. On a fresh Debian 12 machine:
#   make demo   — install what is missing, build, start Banyan with demo data on :8080
#   make test   — install what is missing, build, run every test
# Everything else here is a step of those two.

JOBS        ?= $(shell nproc)
BUILD       := build/release
BANYAN      := $(BUILD)/src/server/banyan
DEMO_DIR    ?= demo-data
DEMO_LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build web demo demo-reset test unit blackbox browser asan bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The console, when it exists, is built into web/dist and served by banyan.
web: deps
	@if [ -f web/package.json ]; then \
	  cd web && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
	fi

demo: build web
	@if [ ! -f $(DEMO_DIR)/demo-credentials.json ]; then \
	  $(BANYAN) demo init --data-dir $(DEMO_DIR); \
	else \
	  echo "Using the existing demo data in $(DEMO_DIR)/ (make demo-reset starts afresh)"; \
	  $(BANYAN) demo show --data-dir $(DEMO_DIR); \
	fi
	@echo ""
	@echo "Banyan is starting on http://$(DEMO_LISTEN) — stop it with Ctrl-C."
	@BANYAN_SERVER_LISTEN=$(DEMO_LISTEN) $(BANYAN) serve --data-dir $(DEMO_DIR)

demo-reset:
	rm -rf $(DEMO_DIR)

test: build web
	@$(MAKE) --no-print-directory unit blackbox browser

unit:
	@ctest --preset release -j $(JOBS)

blackbox:
	@cd tests && (npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null)
	@BANYAN_BIN=$(abspath $(BANYAN)) node --test --test-concurrency=1 tests/blackbox/

# The console's unit tests (vitest), then the browser tests: Debian's Chromium against the real
# binary serving web/dist. (`make web` has type-checked and built the console.)
browser:
	@if [ -d tests/browser ] && [ -f web/package.json ]; then \
	  (cd web && npm test) && \
	  (cd tests && (npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null)) && \
	  BANYAN_BIN=$(abspath $(BANYAN)) node --test --test-concurrency=1 tests/browser/; \
	fi

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

bench: build
	@bash bench/run.sh

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build
