#!/usr/bin/env bash
# Every test, in the order that fails fastest: lint, the import rules and the engine's types, the dependency audit (a
# report only), Django checks, the whole suite on SQLite (browser tests included), then the database tests again on a
# real, throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

bash tools/system-deps.sh

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .

echo "== Import rules (import-linter: the contracts in pyproject.toml, each listed as KEPT or BROKEN)"
PYTHONPATH=src $BIN/lint-imports --no-cache  # this checkout's source, whichever one the venv installed

echo "== Types (mypy on the engine)"
PYTHONPATH=src $BIN/mypy  # what it checks, and how strictly: [tool.mypy] in pyproject.toml

echo "== Dependency audit (pip-audit: a report of known vulnerabilities, never a failure of the run)"
$BIN/python tools/dependency_audit.py || echo "The dependency audit itself failed to run; the tests go on." >&2

echo "== Django checks"
mkdir -p var  # the SQLite database's folder: makemigrations checks the migration history there
export DJANGO_SETTINGS_MODULE=opencare.config.settings_test
$BIN/python -m django makemigrations --check --dry-run
$BIN/python -m django check --fail-level WARNING
DJANGO_ENV=production SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" \
  ALLOWED_HOSTS=opencare.example.org DJANGO_SETTINGS_MODULE=opencare.config.settings \
  $BIN/python -m django check --deploy --fail-level WARNING

# Tests run on every core (pytest-xdist: each worker has its own test database, temporary folders and ports); the
# slowest 20 are listed at the end of each pass. OPENCARE_TEST_WORKERS=1 runs them one at a time.
WORKERS=(-n "${OPENCARE_TEST_WORKERS:-auto}" --dist worksteal --durations=20)

echo "== Tests on SQLite (every test)"
$BIN/pytest -p no:cacheprovider "${WORKERS[@]}"

echo "== Database tests on PostgreSQL"
if $BIN/python tools/throwaway_postgres.py --check; then
  $BIN/python tools/throwaway_postgres.py -- $BIN/pytest -p no:cacheprovider "${WORKERS[@]}" -m "django_db and not browser"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and no PostgreSQL server binaries: failing." >&2
  exit 1
else
  echo "SKIPPED: no PostgreSQL server binaries on this machine (see tools/system-deps.sh)." >&2
fi
