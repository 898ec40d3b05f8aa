# Two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
CSS := src/opencare/frontend/static/opencare/opencare.css

.PHONY: run test install lint clean messages

## run: install everything, set up the SQLite database with the demo data, and serve http://127.0.0.1:8000
run: install
	$(BIN)/opencare setup
	$(BIN)/opencare demo
	$(BIN)/opencare serve --host 127.0.0.1 --port 8000

## test: install everything and run every test (lint, Django checks, SQLite, PostgreSQL, browser)
test: install
	bash tools/run-tests.sh

install: $(INSTALLED) $(CSS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs the pinned packages (constraints.txt) in seconds where pip took 44 s of a clean clone's `make test`;
# pip installs only uv itself, at the version constraints.txt pins (docs/decisions/0033-a-suite-in-eight-minutes.md).
$(INSTALLED): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt uv
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
