#!/usr/bin/env bash
# Update the Welsh catalogues from the source, then compile them: `make messages`.
# Extraction needs GNU gettext (Debian: gettext). After running it, translate every new or fuzzy message in
# src/opencare/*/locale/cy/LC_MESSAGES/django.po, run it again to compile, and commit the .po and .mo files together:
# tests/config/test_welsh_catalogues.py fails while any message is untranslated, fuzzy, or missing from a catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
export DJANGO_SETTINGS_MODULE=opencare.config.settings_test PYTHONPATH="$PWD/src"
packages=$($BIN/python -c "from opencare.config.language import TRANSLATED_PACKAGES as p; print(' '.join(p))")
for package in $packages; do
  (
    cd "src/opencare/$package"
    mkdir -p locale
    # File names without line numbers, so that moving code does not rewrite every catalogue.
    $BIN/django-admin makemessages --locale cy --extension html,txt,py --add-location file --no-obsolete \
      --ignore 'migrations/*' >/dev/null
    $BIN/django-admin compilemessages --locale cy >/dev/null
  )
done
echo "Welsh catalogues updated and compiled: $packages"
