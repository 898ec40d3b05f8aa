"""Declared extensions map to vendored snapshots, never to downloads; versions choose the standard checked against."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from opencare.ocds.review import review
from opencare.ocds.review.extensions import choose_schema, snapshot_for_url

Json = dict[str, Any]

RAW = "https://raw.githubusercontent.com"
OCP = f"{RAW}/open-contracting-extensions"
EU_PROFILE = "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json"
UK = f"{RAW}/cabinetoffice/ocds_uk_extension/main/extension.json"
LOTS = f"{OCP}/ocds_lots_extension/master/extension.json"
NEVER_DOWNLOADS = "never downloads"


def release(**fields: Any) -> Json:
    return {
        "ocid": "ocds-b5fd17-1",
        "id": "1",
        "date": "2024-01-01T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        **fields,
    }


def package(*releases: Json, **metadata: Any) -> Json:
    return {
        "uri": "https://data.borsetdale.gov.uk/ocds.json",
        "publishedDate": "2024-01-01T00:00:00Z",
        "publisher": {"name": "Borsetdale Council"},
        "version": "1.1",
        "releases": list(releases) or [release()],
        **metadata,
    }


def run(data: Json, version: str | None = None) -> Json:
    return review(io.BytesIO(json.dumps(data).encode()), version=version).as_json()


def checks_at(report: Json) -> set[tuple[str, str]]:
    return {(finding["check"], finding["path"]) for finding in report["findings"]}


@pytest.mark.parametrize(
    ("url", "snapshot"),
    [
        (f"{OCP}/ocds_lots_extension/master/extension.json", "ocds_lots_extension"),
        (f"{RAW}/open-contracting-extensions/ocds_metrics_extension/1.1/extension.json", "ocds_metrics_extension"),
        (f"{RAW}/open-contracting/ocds_lots_extension/v1.1.4/extension.json", "ocds_lots_extension"),
        (f"{OCP}/ocds_bid_extension/v1.1.5/extension.json", "ocds_bid_extension@v1.1.5"),
        (f"{OCP}/ocds_location_extension/v1.1.5/extension.json", "ocds_location_extension@v1.1.5"),
        (f"{OCP}/ocds_metrics_extension/v1.1.5/extension.json", "ocds_metrics_extension"),
        (f"{RAW}/cabinetoffice/ocds_uk_extension/main/extension.json", "ocds_uk_extension"),
        (f"{RAW}/Crown-Commercial-Service/ocds_partyDetails_vcse_extension/main/extension.json",
         "ocds_partyDetails_vcse_extension"),
        (f"{RAW}/portaledcahn/ocds_tenderDatePublished_extension/master/extension.json",
         "ocds_tenderDatePublished_extension"),
        ("http://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
         "ocds_lots_extension"),
        (f"{OCP}/ocds_lots_extension/master/", "ocds_lots_extension"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension/archive/master.zip",
         "ocds_lots_extension"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension/archive/v1.1.5.zip",
         "ocds_lots_extension@v1.1.5"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension/archive/refs/tags/v1.1.5.zip",
         "ocds_lots_extension@v1.1.5"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension", "ocds_lots_extension"),
        ("https://standard.open-contracting.org/profiles/eu/master/en/extension.json", "eu-profile"),
        ("https://standard.open-contracting.org/profiles/eu/latest/en/extension.json", "eu-profile"),
        ("  https://standard.open-contracting.org/profiles/eu/latest/en/extension.json\n", "eu-profile"),
    ],
)  # fmt: skip
def test_publishers_spellings_of_an_extension_address_map_to_the_vendored_snapshot(url: str, snapshot: str):
    assert snapshot_for_url(url) == (snapshot, "")


@pytest.mark.parametrize(
    "url",
    [
        f"{OCP}/ocds_no_such_extension/master/extension.json",
        "https://github.com/someone/ocds_no_such_extension/archive/main.zip",
        "https://example.org/extensions/extension.json",
        "https://standard.open-contracting.org/profiles/ppp/latest/en/extension.json",
        "ftp://example.org/ocds_lots_extension/extension.json",
        "file:///etc/passwd",
        "not a web address",
        "",
        42,
        None,
    ],
)
def test_an_extension_opencare_has_no_copy_of_is_not_applied(url: Any):
    name, reason = snapshot_for_url(url)
    assert name is None
    assert reason
    choice = choose_schema("1.1", [url])
    assert choice.applied == ()
    assert [skipped.url for skipped in choice.not_applied] == [str(url)]


@pytest.mark.parametrize(
    "url",
    [
        f"{OCP}/ocds_no_such_extension/master/extension.json",
        "https://github.com/someone/ocds_no_such_extension/archive/main.zip",
        "https://example.org/extensions/extension.json",
        "ftp://example.org/ocds_lots_extension/extension.json",
        "file:///etc/passwd",
        "not a web address",
    ],
)
def test_the_reason_an_extension_is_not_applied_says_opencare_never_downloads(url: str):
    assert NEVER_DOWNLOADS in snapshot_for_url(url)[1]


@pytest.mark.parametrize("repository", [".", "..", "%2e%2e", "ocds_lots_extension@v1.1.5"])
def test_a_repository_name_that_is_not_a_plain_folder_name_is_not_a_snapshot(repository: str):
    assert snapshot_for_url(f"{RAW}/someone/{repository}/master/extension.json")[0] is None


def test_reviewing_data_with_any_extension_address_never_touches_the_network(no_network: None):
    urls = [
        LOTS,
        f"{OCP}/ocds_no_such_extension/master/extension.json",
        "https://example.org/extensions/extension.json",
        "ftp://example.org/ocds_lots_extension/extension.json",
        "file:///etc/passwd",
        "garbage",
    ]
    report = run(package(extensions=urls))
    assert report["extensions"]["applied"][0]["name"] == "ocds_lots_extension"
    assert [skipped["url"] for skipped in report["extensions"]["not_applied"]] == urls[1:]
    not_applied = [finding for finding in report["findings"] if finding["check"] == "ocds.extension-not-applied"]
    assert [finding["count"] for finding in not_applied] == [5]
    assert [example["value"] for example in not_applied[0]["examples"]] == urls[1:]


def test_lots_declared_alone_gets_submission_terms_added_with_a_note():
    choice = choose_schema("1.1", [LOTS])
    assert choice.applied[0].name == "ocds_lots_extension"
    (added,) = choice.applied[1:]
    assert added.url == ""
    assert "SubmissionTerms" in added.note
    lot = {"id": "lot-1", "submissionTerms": {"electronicSubmissionPolicy": "required"}}
    assert run(package(release(tender={"id": "t1", "lots": [lot]}), extensions=[LOTS]))["findings"] == []


def test_lots_declared_alone_gets_only_the_submission_terms_extension_added():
    assert [applied.name for applied in choose_schema("1.1", [LOTS]).applied] == [
        "ocds_lots_extension",
        "ocds_submissionTerms_extension",
    ]


def test_the_report_lists_an_added_extension_with_its_note():
    report = run(package(extensions=[LOTS]))
    added = report["extensions"]["applied"][1]
    assert added["url"] == ""
    assert "SubmissionTerms" in added["note"]


def test_find_a_tender_style_declarations_apply_the_uk_extension():
    urls = [EU_PROFILE, f"{OCP}/ocds_suitability_extension/master/extension.json", UK]
    choice = choose_schema("1.1", urls)
    assert [applied.name for applied in choice.applied] == [
        "eu-profile",
        "ocds_suitability_extension",
        "ocds_uk_extension",
    ]
    assert choice.not_applied == ()


def test_the_same_extension_declared_twice_is_applied_once():
    choice = choose_schema("1.1", [LOTS, f"{RAW}/open-contracting/ocds_lots_extension/master/extension.json"])
    assert [applied.name for applied in choice.applied].count("ocds_lots_extension") == 1


@pytest.mark.parametrize("version", ["2.0", "1.2", "1.1.5", "one point one", [], {"v": 1}, 1.1])
def test_an_unknown_or_malformed_version_is_reported_and_checked_as_1_1(version: object):
    report = run(package(release(parties=[{"id": "p1", "name": "Care Ltd"}]), version=version))
    assert (report["version"], report["standard"]) == ("1.1", "1.1.5")
    (finding,) = [finding for finding in report["findings"] if finding["check"] == "ocds.version-unrecognised"]
    assert finding["severity"] == "warning"
    assert finding["path"] == "version"
    assert repr(version) in finding["message"]
    assert ("ocds.additional-field", "releases/parties") not in checks_at(report)


def test_a_package_without_version_is_checked_as_ocds_1_0_and_the_review_says_so():
    data = {key: value for key, value in package(release(parties=[{"id": "p1", "name": "Care Ltd"}])).items()
            if key != "version"}  # fmt: skip
    report = run(data)
    assert (report["version"], report["standard"]) == ("1.0", "1.0.3")
    (finding,) = [finding for finding in report["findings"] if finding["check"] == "ocds.version-missing"]
    assert finding["severity"] == "info"
    assert "OCDS 1.0" in finding["message"]
    assert ("ocds.additional-field", "releases/parties") in checks_at(report)  # parties came in OCDS 1.1
    assert ("schema.required", "version") not in checks_at(report)


def test_a_release_given_alone_has_no_version_to_read_and_is_checked_as_1_1():
    report = run(release(parties=[{"id": "p1", "name": "Care Ltd"}]))
    assert (report["version"], report["standard"]) == ("1.1", "1.1.5")
    assert ("ocds.version-missing", "version") not in checks_at(report)


def test_version_1_0_data_is_checked_against_ocds_1_0_3():
    report = run(package(release(parties=[{"id": "p1", "name": "Care Ltd"}]), version="1.0"))
    assert (report["version"], report["standard"]) == ("1.0", "1.0.3")
    assert ("ocds.additional-field", "releases/parties") in checks_at(report)
    assert ("ocds.version-unrecognised", "version") not in checks_at(report)


def test_a_negative_quantity_is_an_error_in_ocds_1_0_only():
    data = release(tender={"id": "t1", "items": [{"id": "i1", "quantity": -1}]})
    assert ("schema.number-range", "releases/tender/items/quantity") in checks_at(run(package(data, version="1.0")))
    assert ("schema.number-range", "releases/tender/items/quantity") not in checks_at(run(package(data)))


def test_the_version_asked_for_overrides_the_data():
    report = run(package(), version="1.0")
    assert report["standard"] == "1.0.3"
