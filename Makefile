# Two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
CSS := src/opencare/frontend/static/opencare/opencare.css
PIP_OPTIONS := --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install lint clean messages

## run: install everything, set up the SQLite database with the demo data, and serve http://127.0.0.1:8000
run: install
	$(BIN)/opencare setup
	$(BIN)/opencare demo
	$(BIN)/opencare serve --host 127.0.0.1 --port 8000

## test: install everything and run every test (lint, Django checks, SQLite, PostgreSQL, browser)
test: install
	bash tools/run-tests.sh

# The Python packages and the Node ones (then the CSS) install side by side: each mostly waits on its downloads.
install:
	@$(MAKE) --no-print-directory -j2 $(INSTALLED) $(CSS)

# The venv is made without pip (bootstrapping it took 5 s of each clean clone); uv installs it with the rest.
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

# uv installs the pinned packages (constraints.txt) in seconds where pip took 44 s of a clean clone's `make test`
# (docs/decisions/0033-a-suite-in-eight-minutes.md). uv itself, at the version constraints.txt pins, comes from the
# system Python's pip (22.3 or later installs into another environment) or, where it has none, the venv's own.
$(BIN)/uv: $(BIN)/python constraints.txt
	$(PYTHON) -m pip --python $(BIN)/python install $(PIP_OPTIONS) uv 2>/dev/null || \
	  { $(BIN)/python -m ensurepip --default-pip >/dev/null && $(BIN)/python -m pip install $(PIP_OPTIONS) uv; }
	touch $@  # pip leaves an installed uv as it was, which would leave this target older than constraints.txt

$(INSTALLED): $(BIN)/uv pyproject.toml constraints.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e ".[test]"
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): $(NODE_INSTALLED) $(wildcard src/opencare/frontend/scss/*.scss)
	npm run --silent build:css

## messages: update the Welsh catalogues from the source and compile them (needs GNU gettext; docs/welsh.md)
messages: install
	bash tools/make_messages.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules var $(CSS)
