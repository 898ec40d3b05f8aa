#!/usr/bin/env bash
# Make sure the machine has what the tests need beyond Python and npm: a PostgreSQL server, Chromium (its headless
# shell, which the browser tests drive: docs/decisions/0033-a-suite-in-eight-minutes.md) and gettext.
# As root it installs what is missing from Debian's packages; otherwise it says what is missing and, when CI=true,
# fails (so a missing install step can never hide behind skipped tests).
set -uo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
command -v chromium-headless-shell >/dev/null || missing+=(chromium-headless-shell)
# GNU gettext: tests/config/test_welsh_catalogues.py runs makemessages to prove the Welsh catalogues are up to date.
command -v xgettext >/dev/null || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian's packages..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "Could not install ${missing[*]} with apt-get." >&2
else
  echo "Missing: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]}) to run every test." >&2
fi
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: failing, because tests that need ${missing[*]} would otherwise be skipped." >&2
  exit 1
fi
echo "Carrying on: the tests that need ${missing[*]} will be skipped, and say so." >&2
exit 0
