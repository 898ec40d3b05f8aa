"""A large file checked by two processes gives exactly the report one process gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opencare.ocds.review import review
from opencare.ocds.review.engine import PARALLEL_FROM_BYTES

Json = dict[str, Any]

METRICS = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json"
TARGET_SIZE = 9_000_000
PERIOD = {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-31T23:59:59Z"}


def missed_visits(unit_id: str, **observation: Any) -> list[Json]:
    unit = {"scheme": "UNCEFACT", "id": unit_id}
    return [{"id": "sc-missed-visits", "observations": [{"id": "o1", "measure": 2, "unit": unit, **observation}]}]


def care_release(number: int) -> Json:
    supplier = {"id": f"GB-COH-{number:08d}", "name": f"Care provider {number}"}
    return {
        "ocid": f"ocds-b5fd17-{number:06d}",
        "id": f"{number}-1",
        "date": "2024-01-01T00:00:00Z",
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "parties": [
            {"id": "GB-LAE-BRS", "name": "Borsetdale Council", "roles": ["buyer"]},
            {**supplier, "identifier": {"scheme": "GB-COH", "id": f"{number:08d}"}, "roles": ["supplier"]},
        ],
        "buyer": {"id": "GB-LAE-BRS", "name": "Borsetdale Council"},
        "tender": {
            "id": f"t{number}",
            "title": "Home care for older people in the north locality",
            "description": "Domiciliary care, reablement and night sitting across the north locality. " * 3,
            "tenderPeriod": {"startDate": "2023-10-01T00:00:00Z", "endDate": "2023-11-01T00:00:00Z"},
        },
        "awards": [
            {"id": "a1", "date": "2023-12-01T00:00:00Z", "value": {"amount": 250000, "currency": "GBP"},
             "suppliers": [supplier]}
        ],
        "contracts": [
            {"id": "c1", "awardID": "a1", "dateSigned": "2024-01-01T00:00:00Z",
             "value": {"amount": 250000, "currency": "GBP"},
             "implementation": {"metrics": missed_visits("P1", period=PERIOD)}}
        ],
    }  # fmt: skip


def with_problems(release: Json, number: int) -> Json:
    if number % 7 == 0:
        release["date"] = "yesterday"
    if number % 11 == 0:
        release["tender"]["titel"] = "Home care"
    if number % 13 == 0:
        release["contracts"][0]["value"]["amount"] = 300000
    if number % 17 == 0:
        release["ocid"], release["id"] = f"ocds-b5fd17-{number - 1:06d}", f"{number - 1}-1"
    if number % 19 == 0:
        release["parties"][1]["identifier"]["id"] = "123"
    return release


def agreed_target_in_other_units(release: Json) -> Json:
    update = {**release, "id": release["id"].replace("-1", "-2"), "date": "2024-02-01T00:00:00Z", "tag": ["contract"]}
    update["contracts"] = [{**release["contracts"][0], "agreedMetrics": missed_visits("C62")}]
    return update


def releases_of_about(size: int) -> list[Json]:
    releases: list[Json] = []
    total = number = 0
    while total < size:
        release = with_problems(care_release(number), number)
        batch = [release, agreed_target_in_other_units(release)] if number % 23 == 0 else [release]
        releases += batch
        total += sum(len(json.dumps(item)) for item in batch)
        number += 1
    return releases


@pytest.fixture(scope="module")
def large_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "large-package.json"
    package = {
        "uri": "https://data.borsetdale.gov.uk/ocds/home-care.json",
        "publishedDate": "2024-01-01T00:00:00Z",
        "publisher": {"name": "Borsetdale Council"},
        "version": "1.1",
        "extensions": [METRICS],
        "releases": releases_of_about(TARGET_SIZE),
    }
    path.write_text(json.dumps(package), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def one_process_report(large_package: Path) -> Json:
    return review(large_package, workers=1).as_json()


def test_the_file_is_large_enough_to_be_checked_in_parallel(large_package: Path):
    assert large_package.stat().st_size >= PARALLEL_FROM_BYTES


def test_two_processes_give_the_same_report_as_one(large_package: Path, one_process_report: Json):
    assert review(large_package, workers=2).as_json() == one_process_report


def test_the_default_number_of_processes_gives_the_same_report_as_one(large_package: Path, one_process_report: Json):
    assert review(large_package).as_json() == one_process_report


def test_findings_from_every_process_are_counted_and_their_examples_kept_in_order(one_process_report: Json):
    counts = {(finding["check"], finding["path"]): finding["count"] for finding in one_process_report["findings"]}
    releases = one_process_report["counts"]["releases"]
    assert releases > 5000
    assert counts[("schema.date-time", "releases/date")] > releases // 8
    assert counts[("ocds.duplicate-release-id", "releases/id")] > 0
    assert counts[("metrics.unit-mismatch", "releases/metrics")] > 0
    (dates,) = [finding for finding in one_process_report["findings"] if finding["check"] == "schema.date-time"]
    indexes = [int(example["pointer"].split("/")[2]) for example in dates["examples"]]
    assert indexes == sorted(indexes)
    assert len(indexes) == 5
    assert {index % 2 for index in indexes} == {0, 1}
