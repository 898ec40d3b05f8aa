"""The review engine's findings in Welsh: every check has a Welsh message and fix with the English placeholders."""

from __future__ import annotations

import string
from collections import Counter

import pytest

from opencare.ocds.review.messages import HINTS, SHEET_FIXES, SHEET_HINTS, SHEET_PACKAGE_FIX, TEXTS, explain
from opencare.ocds.review.messages_cy import (
    HINTS_CY,
    SHEET_FIXES_CY,
    SHEET_HINTS_CY,
    SHEET_PACKAGE_FIX_CY,
    TEXTS_CY,
    welsh_context,
)


def placeholders(text: str) -> Counter[str]:
    return Counter(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_every_check_has_a_welsh_message_and_fix():
    assert set(TEXTS_CY) == set(TEXTS)
    assert set(HINTS_CY) == set(HINTS)


@pytest.mark.parametrize("check", sorted(TEXTS))
def test_the_welsh_texts_have_exactly_the_english_placeholders(check):
    english_message, english_fix = TEXTS[check]
    welsh_message, welsh_fix = TEXTS_CY[check]
    assert placeholders(welsh_message) == placeholders(english_message)
    assert placeholders(welsh_fix) == placeholders(english_fix)
    assert welsh_message != english_message or english_message == "{note}"


def test_a_missing_field_is_explained_in_welsh_with_its_hint():
    message, fix = explain("schema.required", "releases/id", {"missing": "id"}, language="cy")
    assert message == "Nid oes gan bob datganiad 'id'. Mae OCDS yn ei gwneud yn ofynnol."
    assert fix.startswith("Ychwanegwch 'id' at bob datganiad sydd hebddo. Rhaid i id datganiad fod yn unigryw")


def test_the_engines_own_words_in_a_finding_are_put_into_welsh():
    message, _ = explain("schema.type", "releases/tender/value/amount", {"expected": "a number", "actual": "text"},
                         language="cy")  # fmt: skip
    assert message == "Dylai 'amount' fod yn rhif, ond mae'n destun."
    context = welsh_context({"kind": "releases", "limit": "2 minutes", "format": "array of releases",
                             "expected": "a number or true or false", "allowed": "a, b (and 3 more)"})  # fmt: skip
    assert context == {"kind": "datganiadau", "limit": "2 munud", "format": "rhestr o ddatganiadau",
                       "expected": "rhif neu wir neu gau", "allowed": "a, b (a 3 arall)"}  # fmt: skip


def test_the_data_quoted_in_a_finding_stays_as_it_was():
    _, fix = explain("schema.closed-codelist", "releases/tender/status", {"codelist": "tenderStatus.csv",
                     "allowed": "planning, active", "values": ["wibble"]}, language="cy")  # fmt: skip
    assert "'wibble'" in fix
    assert "planning, active" in fix


def test_english_is_still_the_default():
    assert explain("ocds.empty-field", "releases/title", {}) == (
        "'title' is empty.",
        "Leave out fields that have nothing in them, rather than publishing empty text, lists or objects.",
    )


def test_every_spreadsheet_fix_and_hint_has_welsh_with_the_english_placeholders():
    assert set(SHEET_FIXES_CY) == set(SHEET_FIXES)
    assert set(SHEET_HINTS_CY) == set(SHEET_HINTS)
    for check, english in SHEET_FIXES.items():
        assert placeholders(SHEET_FIXES_CY[check]) == placeholders(english), check
    assert placeholders(SHEET_PACKAGE_FIX_CY) == placeholders(SHEET_PACKAGE_FIX)


def test_a_missing_package_field_in_a_spreadsheet_is_explained_in_welsh_with_its_cell():
    _, fix = explain("schema.required", "publisher", {"missing": "publisher", "sheet": "Meta", "cell": "B5",
                     "field_path": "publisher/name"}, language="cy", spreadsheet=True)  # fmt: skip
    assert fix.startswith("Llenwch y ddalen Meta, cell B5 (publisher/name)")
