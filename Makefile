# One command to serve the demo, one to run every check. Both install what they need first.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# graphql-http's GraphQL-over-HTTP audit, run by the tests against `newsroom serve`.
AUDIT := tests/http_audit
AUDIT_INSTALLED := $(AUDIT)/node_modules/.installed

.PHONY: install serve test bench schema

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 13) and \"Newsroom needs Python 3.13+, $(PYTHON) is \" + sys.version.split()[0])"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

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

## Serve the API with the demo fixtures on the embedded store: http://127.0.0.1:8000/graphql
serve: install
	$(BIN)/newsroom fixtures load fixtures
	$(BIN)/newsroom serve

## Lint, type-check and run the whole test suite.
test: install $(AUDIT_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

## Speed: medians and ratios against a floor measured in the same run.
bench: install
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.relevance

## Rewrite schema.graphql after changing the GraphQL types.
schema: install
	$(BIN)/newsroom schema export --output schema.graphql
