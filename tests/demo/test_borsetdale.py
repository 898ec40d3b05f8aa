"""The invented Borsetdale demo data: valid, self-contained, realistic enough to show missed targets, and stable."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.schema_check import release_schema_errors

TARGET_METRICS = {"sc-missed-visits", "sc-punctuality", "sc-continuity-of-carer"}
MISSED = {"slightlyBelow", "below", "significantlyBelow"}


@cache
def _package_json() -> str:
    return json.dumps(borsetdale_release_package())


def _releases() -> list[dict[str, Any]]:
    return json.loads(_package_json())["releases"]


def _by_ocid() -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in _releases():
        grouped[release["ocid"]].append(release)
    return grouped


def _observations(release: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for contract in release.get("contracts", []):
        for metric in contract.get("implementation", {}).get("metrics", []):
            for observation in metric["observations"]:
                yield metric["id"], observation


def _party_references(node: Any) -> Iterator[str]:
    """Every organisation id the release points at: buyer, payer, payee, and the suppliers and tenderers lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"buyer", "payer", "payee"} and isinstance(value, dict):
                yield value["id"]
            elif key in {"suppliers", "tenderers"} and isinstance(value, list):
                yield from (reference["id"] for reference in value)
            elif key != "parties":
                yield from _party_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _party_references(item)


def test_every_release_validates_against_the_profile_with_no_errors() -> None:
    failures = {release["id"]: release_schema_errors(release) for release in _releases()}
    assert {release_id: errors for release_id, errors in failures.items() if errors} == {}


def test_release_ids_are_unique_and_dates_strictly_increase_per_ocid() -> None:
    processes = _by_ocid()
    assert processes
    for ocid, releases in processes.items():
        ids = [release["id"] for release in releases]
        dates = [release["date"] for release in releases]
        assert len(set(ids)) == len(ids), ocid
        assert dates == sorted(set(dates)), ocid
        assert all(date.endswith("Z") for date in dates)


def test_there_are_at_least_three_home_care_processes_with_24_monthly_actuals_each() -> None:
    processes = _by_ocid()
    assert len(processes) >= 3
    for ocid, releases in processes.items():
        assert ocid.startswith("ocds-bdemo1-")
        updates = [release for release in releases if release["tag"] == ["implementationUpdate"]]
        assert len(updates) == 24, ocid
        for metric_id in TARGET_METRICS | {"sc-hours-delivered"}:
            months = {obs["period"]["startDate"][:7] for r in updates for m, obs in _observations(r) if m == metric_id}
            assert len(months) == 24, (ocid, metric_id)


def test_every_process_is_classified_as_home_care_under_the_light_touch_regime() -> None:
    tenders = [release for release in _releases() if release["tag"] == ["tender"]]
    assert len(tenders) == len(_by_ocid())  # one tender per process, so every process is checked
    for release in tenders:
        assert release["tender"]["classification"]["id"] == "85312400"
        assert release["tender"]["specialRegime"] == ["lightTouch"]


def test_some_observations_are_classified_below_target() -> None:
    classes = [
        obs["measureClassification"]["id"]
        for release in _releases()
        for metric_id, obs in _observations(release)
        if metric_id in TARGET_METRICS
    ]
    assert MISSED & set(classes)
    assert classes.count("met") > len(classes) / 2


def test_classification_matches_the_measure_and_the_target() -> None:
    checked: set[str] = set()
    for release in _releases():
        for metric_id, obs in _observations(release):
            if metric_id == "sc-missed-visits":
                assert (obs["measure"] <= 2) == (obs["measureClassification"]["id"] == "met")
            elif metric_id == "sc-punctuality":
                assert (obs["measure"] >= 90) == (obs["measureClassification"]["id"] == "met")
            elif metric_id == "sc-continuity-of-carer":
                assert (obs["measure"] >= 80) == (obs["measureClassification"]["id"] == "met")
            else:
                continue
            checked.add(metric_id)
    assert checked == {"sc-missed-visits", "sc-punctuality", "sc-continuity-of-carer"}


def test_every_party_reference_resolves_to_a_party_in_the_same_release() -> None:
    releases = _releases()
    assert any(set(_party_references(release)) for release in releases)
    for release in releases:
        party_ids = {party["id"] for party in release["parties"]}
        assert set(_party_references(release)) <= party_ids, release["id"]


def test_every_award_id_on_a_contract_matches_an_award_in_the_same_release() -> None:
    contracts = 0
    for release in _releases():
        award_ids = {award["id"] for award in release.get("awards", [])}
        for contract in release.get("contracts", []):
            assert contract["awardID"] in award_ids, release["id"]
            contracts += 1
    assert contracts


def test_payments_in_each_year_stay_within_the_contract_value() -> None:
    values = {}
    for release in _releases():
        for contract in release.get("contracts", []):
            if "value" in contract:
                values[contract["id"]] = contract["value"]["amount"]
    paid: dict[tuple[str, str], float] = defaultdict(float)
    for release in _releases():
        for contract in release.get("contracts", []):
            for payment in contract.get("implementation", {}).get("transactions", []):
                paid[contract["id"], payment["date"][:4]] += payment["value"]["amount"]
    assert paid
    assert all(total <= values[contract_id] for (contract_id, _), total in paid.items())


def test_survey_counts_are_never_small_enough_to_identify_someone() -> None:
    counts = [obs["measure"] for r in _releases() for m, obs in _observations(r) if m == "sc-satisfaction"]
    assert counts
    assert min(counts) >= 5


def test_invented_bodies_and_processes_say_they_are_invented() -> None:
    releases = _releases()
    assert releases
    for release in releases:
        assert release["description"].startswith("Invented sample data for demonstration. ")
        assert all("invented" in party["name"] for party in release["parties"])


def test_generation_is_deterministic() -> None:
    assert borsetdale_release_package() == borsetdale_release_package()
    assert json.dumps(borsetdale_release_package(), sort_keys=True) == json.dumps(
        borsetdale_release_package(), sort_keys=True
    )
