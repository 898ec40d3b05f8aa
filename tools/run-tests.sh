#!/usr/bin/env bash
# Every test, in the order that fails fastest: lint, the import rules and the engine's types, Django checks, the whole
# suite on SQLite (browser tests included), then the database tests again on a real, throwaway PostgreSQL server; and
# the dependency audit (a report only), which runs beside them all and is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Python keeps the bytecode of what it compiles (in __pycache__, ignored by git): each test worker, and each command
# the tests start as a process of its own, then compiles opencare and rewrites the test files once, not every time.
unset PYTHONDONTWRITEBYTECODE
mkdir -p var  # the SQLite database's folder (makemigrations checks the migration history there), and the reports'
REPORTS=$(mktemp -d var/run-tests.XXXXXX)
AUDIT_PID=
MYPY_PID=
# The audit and mypy run beside the other steps, each in a process group of its own (setsid), so that however this
# script ends (short of SIGKILL) neither they nor pip-audit's own process outlive it.
stop_background() {
  for pid in $AUDIT_PID $MYPY_PID; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "$REPORTS"
}
trap stop_background EXIT

bash tools/system-deps.sh

# pip-audit spends most of its time waiting on the network (a minute where no vulnerability service answers), so it
# runs while everything else does; its report is printed after the tests.
setsid $BIN/python tools/dependency_audit.py >"$REPORTS/audit.txt" 2>&1 &
AUDIT_PID=$!

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .

# mypy runs on the second core while the import rules and Django's checks run on the first.
PYTHONPATH=src setsid $BIN/mypy >"$REPORTS/mypy.txt" 2>&1 &  # what it checks, and how strictly: [tool.mypy] in pyproject.toml
MYPY_PID=$!

echo "== Import rules (import-linter: the contracts in pyproject.toml, each listed as KEPT or BROKEN)"
PYTHONPATH=src $BIN/lint-imports --no-cache  # this checkout's source, whichever one the venv installed

echo "== Django checks"
export DJANGO_SETTINGS_MODULE=opencare.config.settings_test
$BIN/python -m django makemigrations --check --dry-run
$BIN/python -m django check --fail-level WARNING
DJANGO_ENV=production SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" \
  ALLOWED_HOSTS=opencare.example.org DJANGO_SETTINGS_MODULE=opencare.config.settings \
  $BIN/python -m django check --deploy --fail-level WARNING

echo "== Types (mypy on the engine)"
mypy_status=0
wait "$MYPY_PID" || mypy_status=$?
MYPY_PID=
cat "$REPORTS/mypy.txt"
[ "$mypy_status" -eq 0 ]

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

echo "== Dependency audit (pip-audit: a report of known vulnerabilities, never a failure of the run)"
wait "$AUDIT_PID" || echo "The dependency audit itself failed to run." >&2
AUDIT_PID=
cat "$REPORTS/audit.txt"
