"""The Welsh catalogues are complete, compiled and up to date with the source.

A message added to a page or form without its Welsh, a fuzzy guess left by makemessages, a compiled catalogue older
than its source, or a placeholder lost in translation each fail here. `make messages` updates and compiles them;
docs/welsh.md says how to translate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from opencare.config.language import TRANSLATED_PACKAGES

SOURCE = Path(__file__).resolve().parents[2] / "src" / "opencare"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w+\}")


def catalogue_path(package: str, suffix: str = "po") -> Path:
    return SOURCE / package / "locale" / "cy" / "LC_MESSAGES" / f"django.{suffix}"


@pytest.mark.parametrize("package", TRANSLATED_PACKAGES)
def test_every_message_has_its_welsh_and_none_is_fuzzy(package):
    catalogue = polib.pofile(str(catalogue_path(package)))
    assert len(catalogue) > 0
    untranslated = [entry.msgid[:80] for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid[:80] for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("package", TRANSLATED_PACKAGES)
def test_every_translation_keeps_the_placeholders_of_its_english(package):
    """Exactly the same placeholders; a plural's forms may leave out the count (Welsh says "one" in words)."""
    lost = []
    for entry in polib.pofile(str(catalogue_path(package))).translated_entries():
        if entry.msgid_plural:
            english = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
            lost += [entry.msgid[:80] for text in entry.msgstr_plural.values() if
                     not set(PLACEHOLDER.findall(text)) <= english]  # fmt: skip
        elif sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid)):
            lost.append(entry.msgid[:80])
    assert lost == []


@pytest.mark.parametrize("package", TRANSLATED_PACKAGES)
def test_the_compiled_catalogue_holds_exactly_what_its_source_says(package):
    source = {(e.msgctxt, e.msgid): e.msgstr or dict(e.msgstr_plural) for e in
              polib.pofile(str(catalogue_path(package))).translated_entries()}  # fmt: skip
    compiled = {(e.msgctxt, e.msgid): e.msgstr or {int(k): v for k, v in e.msgstr_plural.items()} for e in
                polib.mofile(str(catalogue_path(package, "mo"))) if e.msgid}  # fmt: skip
    assert compiled == source


def test_the_catalogues_hold_every_message_the_source_marks_for_translation(tmp_path):
    """makemessages run afresh on a copy of the source finds no message the committed catalogues lack."""
    missing = {}
    for package in TRANSLATED_PACKAGES:
        copy = tmp_path / package
        shutil.copytree(SOURCE / package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        shutil.rmtree(copy / "locale" / "cy")
        (copy / "locale").mkdir(exist_ok=True)
        made = subprocess.run(
            # django-admin, not `python -m django`, which would put this folder first on the path, where a module
            # such as selectors.py would stand in for the standard library's.
            [str(Path(sys.executable).with_name("django-admin")), "makemessages", "--locale", "cy",
             "--extension", "html,txt,py", "--ignore", "migrations/*"],
            cwd=copy, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SOURCE.parent)},
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale" / "cy" / "LC_MESSAGES" / "django.po"))}
        committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue_path(package)))}
        if fresh - committed:
            missing[package] = sorted(msgid[:80] for _, msgid in fresh - committed)
    assert missing == {}, "run `make messages` and translate the new messages (docs/welsh.md)"
