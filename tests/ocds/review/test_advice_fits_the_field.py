"""Each check's advice is about the field it flags, and in spreadsheet words when the input was a spreadsheet."""

from __future__ import annotations

import pytest

from opencare.ocds.review.messages import HINTS, SHEET_FIXES, TEXTS, explain

JSON_WORDS = ("[ ]", "{", "}", "quotes", "JSON", '"')


def test_a_missing_tender_id_is_advised_about_tender_ids_not_release_ids():
    _, fix = explain("schema.required", "releases/tender/id", {"missing": "id"})
    assert "tender id" in fix
    assert "release id" not in fix


def test_a_missing_release_id_is_still_advised_about_release_ids():
    _, fix = explain("schema.required", "releases/id", {"missing": "id"})
    assert "A release id must be unique within its contracting process" in fix


def test_a_missing_id_in_another_list_gets_advice_about_ids_in_a_list_not_release_ids():
    _, fix = explain("schema.required", "releases/awards/id", {"missing": "id"})
    assert "release id" not in fix
    assert "Each entry in a list needs an id" in fix


def test_a_missing_date_inside_a_release_part_is_not_explained_as_the_release_date():
    _, fix = explain("schema.required", "releases/contracts/implementation/transactions/date", {"missing": "date"})
    assert "when the release was published" not in fix


def test_a_missing_publisher_is_advised_about_the_publisher():
    _, fix = explain("schema.required", "publisher", {"missing": "publisher"})
    assert "publisher is the organisation publishing the data" in fix


def test_a_missing_package_field_in_a_spreadsheet_names_the_cell_to_fill_in():
    _, fix = explain("schema.required", "publisher", {"missing": "publisher", "sheet": "Meta", "cell": "B5",
                     "field_path": "publisher/name"}, spreadsheet=True)  # fmt: skip
    assert fix.startswith("Fill in the Meta sheet, cell B5 (publisher/name)")


def test_a_missing_release_field_in_a_spreadsheet_names_its_column():
    _, fix = explain("schema.required", "releases/tender/id", {"missing": "id"}, spreadsheet=True)
    assert fix.startswith("Fill in the cell for 'tender/id'")
    assert "tender id" in fix


def test_json_input_keeps_its_json_advice():
    assert explain("schema.type", "releases/tender/value/amount", {"expected": "a number", "actual": "text"})[1] == (
        "Change 'amount' to a number. Numbers must not be in quotes, text must be, and lists use [ ]."
    )


@pytest.mark.parametrize("check", sorted(TEXTS))
def test_no_advice_for_a_spreadsheet_speaks_of_json_syntax(check):
    context = {"missing": "tag", "expected": "a number", "allowed": "a, b", "values": ["x"], "field": "f"}
    _, fix = explain(check, "releases/tag", context, spreadsheet=True)
    assert not any(word in fix for word in JSON_WORDS), fix


def test_every_hint_in_spreadsheet_words_is_free_of_json_syntax():
    for path in HINTS:
        _, fix = explain("schema.required", path, {"missing": path.rpartition("/")[2]}, spreadsheet=True)
        assert not any(word in fix for word in JSON_WORDS), fix


def test_every_spreadsheet_fix_is_for_a_check_the_engine_has():
    assert set(SHEET_FIXES) <= set(TEXTS)


def test_a_missing_field_of_a_records_compiled_release_has_the_releases_advice():
    _, fix = explain("schema.required", "records/compiledRelease/id", {"missing": "id"})
    assert "A release id must be unique within its contracting process" in fix


def test_a_repeated_id_outside_documents_is_not_advised_as_documents_only():
    _, fix = explain("ocds.duplicate-id-in-array", "releases/awards", {})
    assert fix == "Give each entry in the list its own id (for example 1, 2, 3; or doc-1, doc-2 for documents)."
