# One command to serve the demo, one to run every check. Both install what they need first.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# graphql-http's GraphQL-over-HTTP audit, run by the tests against `newsroom serve`.
AUDIT := tests/http_audit
AUDIT_INSTALLED := $(AUDIT)/node_modules/.installed
# Apollo Client and Playwright (driving Debian's Chromium), run by the tests as a frontend would.
FRONTEND := tests/frontend
FRONTEND_INSTALLED := $(FRONTEND)/node_modules/.installed
CHROMIUM ?= /usr/bin/chromium
# Test processes (pytest-xdist), each with its own embedded store; whole files go to one process.
TEST_WORKERS ?= 2

# Exact versions (with hashes) of everything installed; `make lock` refreshes them.
LOCK := requirements-dev.lock
RUNTIME_LOCK := requirements.lock
UV := uv==0.13.9

.PHONY: install serve test test-fast docs bench schema lock assets

install: $(INSTALLED)

$(INSTALLED): pyproject.toml $(LOCK)
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 13) and \"Newsroom needs Python 3.13+, $(PYTHON) is \" + sys.version.split()[0])"
	$(PYTHON) -m venv $(VENV)
	@echo "Installing Newsroom and its locked dependencies into $(VENV) (a minute or two the first time)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@
	@echo "Installed: the CLI is $(BIN)/newsroom (or \`newsroom\` after \`source $(BIN)/activate\`)"

## Refresh the lock files from pyproject.toml (newest versions its ranges allow).
lock:
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet "$(UV)"
	.lock-venv/bin/uv pip compile pyproject.toml --python-version 3.13 --generate-hashes --quiet -o $(RUNTIME_LOCK)
	.lock-venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.13 --generate-hashes --quiet -o $(LOCK)
	rm -rf .lock-venv

# Node.js 18+ and npm come from Debian's packages (apt-get) when they are missing.
$(AUDIT_INSTALLED): $(AUDIT)/package.json $(AUDIT)/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "Installing Node.js and npm for the HTTP audit (apt-get)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi
	npm ci --prefix $(AUDIT) --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_INSTALLED): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(AUDIT_INSTALLED)
	npm ci --prefix $(FRONTEND) --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the playground's browser test: Playwright never downloads a browser.
$(CHROMIUM):
	@echo "Installing Chromium for the playground's browser test (apt-get)"
	@SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	$$SUDO apt-get update -qq && \
	$$SUDO apt-get install -y -qq --no-install-recommends chromium

## Serve the API with the demo fixtures on the embedded store: http://127.0.0.1:8000/graphql
serve: install
	$(BIN)/newsroom fixtures load fixtures
	$(BIN)/newsroom serve

## Lint, type-check, check the layering contracts (pyproject.toml), build the docs (strict) and
## run the whole test suite.
test: install $(AUDIT_INSTALLED) $(FRONTEND_INSTALLED) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(MAKE) --no-print-directory docs
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

## The loop of a change: lint and the tests that need no browser, no 10,000-article archive and no
## API processes of their own (each on the per-worker store). CI still runs `make test`.
FAST_LANE := not slow and not browser and not processes
test-fast: install $(FRONTEND_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	NEWSROOM_TEST_LANE=fast $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "$(FAST_LANE)" --durations=10

## The docs site (docs/, mkdocs.yml) into site/: any warning fails, broken links and anchors
## included. `.venv/bin/mkdocs serve` shows it at http://127.0.0.1:8100 while you edit.
# Material's end-of-life banner is not a build warning; it would only bury the ones that are.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## Speed: medians and ratios against a floor measured in the same run (wrk for HTTP load).
## bench.scale (a 100,000-article archive) has a budget of its own: up to 60 minutes.
bench: install
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.bulk
	$(BIN)/python -m bench.relevance
	$(BIN)/python -m bench.discovery
	$(BIN)/python -m bench.catalog
	$(BIN)/python -m bench.media
	$(BIN)/python -m bench.desk
	$(BIN)/python -m bench.desk_ratings
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.wordpress
	$(BIN)/python -m bench.blocks
	$(BIN)/python -m bench.distribution

## Rewrite schema.graphql, and examples/ (operations, possibleTypes.json), after changing the GraphQL types.
schema: install
	$(BIN)/newsroom schema export --output schema.graphql
	$(BIN)/newsroom schema examples --output examples

## Fetch the pinned npm releases the faces serve (GraphiQL into api/playground/assets, htmx into
## desk/assets), integrity-checked; needs npm. Serving them does not.
assets: install
	$(BIN)/python scripts/fetch_assets.py
