"""Additional and empty fields in real UK data, found where lib-cove-ocds finds them (its counts, checked by hand with
lib-cove-ocds 0.17.0 on these files): fields under ``parties/details`` that no declared extension defines, and empty
values inside fields no schema knows."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from opencare.ocds.review import review

REALDATA = Path(__file__).resolve().parents[2] / "fixtures" / "realdata"
SCALE = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/master/extension.json"


def counts(report: dict[str, Any], check: str, under: str) -> dict[str, int]:
    return {f["path"]: f["count"] for f in report["findings"] if f["check"] == check and f["path"].startswith(under)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pcs-releases-2019-03-to-04.json", {"classifications": 95, "url": 89}),
        ("s2w-releases-2025-02.json", {"classifications": 91, "url": 89}),
        ("cf-releases-2025-01-to-03.json", {"scale": 218, "vcse": 174, "url": 83}),
    ],
)
def test_party_details_fields_no_declared_extension_defines_are_additional_fields_as_lib_cove_ocds_counts(
    name: str, expected: dict[str, int]
):
    report = review(REALDATA / name).as_json()
    found = counts(report, "ocds.additional-field", "releases/parties/details")
    assert found == {f"releases/parties/details/{field}": count for field, count in expected.items()}
    assert not [f for f in report["findings"] if f["check"] == "schema.other"]


def test_party_details_fields_that_declared_extensions_define_are_not_additional():
    """Contracts Finder's search pages declare the EU profile (scale) and the VCSE extension: lib-cove-ocds reports
    nothing under parties/details, nor do we."""
    report = review(REALDATA / "cf-ocds-search-page-2022-10-20.json").as_json()
    assert counts(report, "ocds.additional-field", "releases/parties/details") == {}


def test_declaring_the_scale_extension_leaves_only_the_fields_it_does_not_define():
    package = json.loads((REALDATA / "cf-releases-2025-01-to-03.json").read_bytes()) | {"extensions": [SCALE]}
    report = review(io.BytesIO(json.dumps(package).encode())).as_json()
    assert counts(report, "ocds.additional-field", "releases/parties/details") == {
        "releases/parties/details/vcse": 174,
        "releases/parties/details/url": 83,
    }


def test_an_empty_unknown_field_from_find_a_tender_is_reported_as_additional_and_as_empty():
    report = review(REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json").as_json()
    assert counts(report, "ocds.additional-field", "releases/buyerID") == {"releases/buyerID": 3}
    (empty,) = [f for f in report["findings"] if f["check"] == "ocds.empty-field" and f["path"] == "releases/buyerID"]
    assert empty["count"] == 3
    assert [example["pointer"] for example in empty["examples"]] == [
        "/releases/0/buyerID",
        "/releases/2/buyerID",
        "/releases/4/buyerID",
    ]
    assert "empty" in empty["message"]


def test_empty_values_inside_an_unknown_field_are_reported_where_they_are():
    notes = {"kept": "text", "blank": "  ", "none": [], "list": ["a", ""]}
    release = {"ocid": "ocds-b5fd17-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender", "x_notes": notes}  # fmt: skip
    package = {"uri": "https://example.org/p.json", "publishedDate": "2024-01-01T00:00:00Z", "version": "1.1",
               "publisher": {"name": "Borsetdale Council"}, "releases": [release]}  # fmt: skip
    report = review(io.BytesIO(json.dumps(package).encode())).as_json()
    pointers = sorted(
        example["pointer"]
        for finding in report["findings"]
        if finding["check"] == "ocds.empty-field"
        for example in finding["examples"]
    )
    assert pointers == ["/releases/0/x_notes/blank", "/releases/0/x_notes/list/1", "/releases/0/x_notes/none"]
