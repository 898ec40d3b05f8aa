"""Every check the review engine can emit: minimal data that triggers it, and the corrected data that does not."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from opencare.ocds.review import review
from opencare.ocds.review.messages import TEXTS

Json = dict[str, Any]

EXTENSIONS = "https://raw.githubusercontent.com/open-contracting-extensions"
METRICS = f"{EXTENSIONS}/ocds_metrics_extension/master/extension.json"
LOTS = f"{EXTENSIONS}/ocds_lots_extension/master/extension.json"
EU_PROFILE = "https://standard.open-contracting.org/profiles/eu/master/en/extension.json"
UK = "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"
OCID = "ocds-b5fd17-hc-001"
DATE = "2024-01-01T00:00:00Z"
TENDER = {"id": "hc-001", "title": "Home care for older people"}
PERIOD = {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-01-31T23:59:59Z"}
PERCENT = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
COUNT = {"scheme": "UNCEFACT", "id": "C62", "name": "count"}
CHARITY = {"scheme": "GB-CHC", "legalName": "Care Ltd"}
REPORT_KEYS = {"format", "version", "standard", "extensions", "counts", "valid", "complete", "findings"}
#: Check ids no vendored schema or check can produce: no schema has maxItems or a non-date/uri format on data, and
#: every enum belongs to a codelist.
NEVER_EMITTED = {"schema.enum", "schema.format", "schema.max-items", "schema.other"}
#: Emitted only by a review given limits: their cases are in test_limits.py.
LIMIT_CHECKS = {"review.stopped-at-item-limit", "review.stopped-at-time-limit"}


def release(**fields: Any) -> Json:
    return {
        "ocid": OCID,
        "id": "1",
        "date": DATE,
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": dict(TENDER),
        **fields,
    }


def without_id(data: Json) -> Json:
    return {key: value for key, value in data.items() if key != "id"}


def package(*releases: Json, extensions: tuple[str, ...] = (METRICS,), **metadata: Any) -> Json:
    return {
        "uri": "https://data.borsetdale.gov.uk/ocds/home-care.json",
        "publishedDate": DATE,
        "publisher": {"name": "Borsetdale Council"},
        "version": "1.1",
        "extensions": list(extensions),
        "releases": list(releases) or [release()],
        **metadata,
    }


def record_package(*records: Json) -> Json:
    metadata = {key: value for key, value in package().items() if key != "releases"}
    return {**metadata, "records": list(records)}


def linked_release(number: int = 1) -> Json:
    return {"url": f"https://data.borsetdale.gov.uk/ocds/home-care.json#{number}", "date": DATE, "tag": ["tender"]}


def record(ocid: str = OCID, releases: list[Json] | None = None) -> Json:
    return {"ocid": ocid, "releases": releases or [linked_release()]}


def with_tender(**fields: Any) -> Json:
    return release(tender={**TENDER, **fields})


def money(amount: float) -> Json:
    return {"amount": amount, "currency": "GBP"}


def with_contract(award: Json | None = None, **contract: Any) -> Json:
    return release(
        tag=["contract"],
        awards=[award or {"id": "a1"}],
        contracts=[{"id": "c1", "awardID": "a1", **contract}],
    )


def metric(observation: Json, metric_id: str = "sc-missed-visits") -> list[Json]:
    return [{"id": metric_id, "observations": [observation]}]


def observation(**fields: Any) -> Json:
    return {"id": "o1", "measure": 2, "unit": PERCENT, **fields}


def with_target(observed: Json, metric_id: str = "sc-missed-visits") -> Json:
    return with_tender(targets=metric(observed, metric_id))


def with_actual(observed: Json, metric_id: str = "sc-missed-visits") -> Json:
    return with_contract(implementation={"metrics": metric(observed, metric_id)})


def with_target_and_actual(target_unit: Json, actual_unit: Json) -> Json:
    return with_contract(
        agreedMetrics=metric(observation(unit=target_unit)),
        implementation={"metrics": metric(observation(id="o2", unit=actual_unit, period=PERIOD))},
    )


def review_milestone(day: str, *, met: bool = True) -> Json:
    """An interim review marked as met: on ``day``, or (``met=False``) with only a due date."""
    milestone = {"id": "review-q1", "title": "Quarterly review", "type": "reporting", "status": "met", "dueDate": day}
    return milestone | ({"dateMet": day} if met else {})


def with_transactions(contract_amount: float, *paid: float) -> Json:
    transactions = [{"id": f"t{i}", "value": money(amount)} for i, amount in enumerate(paid, 1)]
    return with_contract(value=money(contract_amount), implementation={"transactions": transactions})


def with_party(scheme: str, identifier: str) -> Json:
    party = {"id": f"{scheme}-{identifier}", "name": "Care Ltd", "identifier": {"scheme": scheme, "id": identifier}}
    return release(parties=[party])


def two_releases(*, second_id: str = "2", second_date: str = "2024-02-01T00:00:00Z") -> Json:
    return package(release(), release(id=second_id, date=second_date))


def run(data: Json | bytes) -> Json:
    return review(io.BytesIO(data if isinstance(data, bytes) else json.dumps(data).encode())).as_json()


def with_amount(amount: str) -> bytes:
    """A package whose tender value's amount is written exactly so (JSON text, which a dict cannot hold)."""
    data = package(release(tender=TENDER | {"value": {"amount": 12345, "currency": "GBP"}}))
    return json.dumps(data).encode().replace(b'"amount": 12345', b'"amount": ' + amount.encode())


def findings_of(report: Json, check: str) -> list[Json]:
    return [finding for finding in report["findings"] if finding["check"] == check]


@dataclass(frozen=True)
class Case:
    """Data with one problem, where it is reported, and the same data corrected."""

    name: str
    check: str
    severity: str
    path: str
    pointer: str
    broken: Callable[[], Json | bytes]
    fixed: Callable[[], Json | bytes]
    count: int = 1
    wrong: str = ""  # why the engine does not yet do this: the test is a strict xfail until it does


CASES = [
    Case(
        "release-without-an-id-misses-a-required-field",
        "schema.required",
        "error",
        "releases/id",
        "/releases/0/id",
        lambda: package(without_id(release())),
        package,
    ),
    Case(
        "package-without-a-publisher-misses-a-required-field",
        "schema.required",
        "error",
        "publisher",
        "/publisher",
        lambda: {key: value for key, value in package().items() if key != "publisher"},
        package,
    ),
    Case(
        "amount-in-quotes-is-the-wrong-type",
        "schema.type",
        "error",
        "releases/tender/value/amount",
        "/releases/0/tender/value/amount",
        lambda: package(with_tender(value={"amount": "250000", "currency": "GBP"})),
        lambda: package(with_tender(value=money(250000))),
    ),
    Case(
        "releases-that-are-not-a-list-are-the-wrong-type",
        "schema.type",
        "error",
        "releases",
        "/releases",
        lambda: {**package(), "releases": {"0": release()}},
        package,
    ),
    Case(
        "tender-status-outside-its-closed-codelist",
        "schema.closed-codelist",
        "error",
        "releases/tender/status",
        "/releases/0/tender/status",
        lambda: package(with_tender(status="open")),
        lambda: package(with_tender(status="active")),
    ),
    Case(
        "release-tag-outside-its-closed-codelist",
        "schema.closed-codelist",
        "error",
        "releases/tag",
        "/releases/0/tag/0",
        lambda: package(release(tag=["tenderNotice"])),
        package,
    ),
    Case(
        "release-date-without-a-time-is-not-a-date-time",
        "schema.date-time",
        "error",
        "releases/date",
        "/releases/0/date",
        lambda: package(release(date="2024-01-01")),
        package,
    ),
    Case(
        "document-address-that-is-not-a-web-address",
        "schema.uri",
        "error",
        "releases/tender/documents/url",
        "/releases/0/tender/documents/0/url",
        lambda: package(with_tender(documents=[{"id": "d1", "url": "not a web address"}])),
        lambda: package(with_tender(documents=[{"id": "d1", "url": "https://borsetdale.gov.uk/spec.pdf"}])),
    ),
    Case(
        "package-version-with-a-patch-number-breaks-the-pattern",
        "schema.pattern",
        "error",
        "version",
        "/version",
        lambda: package(version="1.1.5"),
        package,
    ),
    Case(
        "empty-tag-list-has-too-few-items",
        "schema.min-items",
        "error",
        "releases/tag",
        "/releases/0/tag",
        lambda: package(release(tag=[])),
        package,
    ),
    Case(
        "the-same-identifier-twice-is-not-unique",
        "schema.unique-items",
        "error",
        "releases/parties/additionalIdentifiers",
        "/releases/0/parties/0/additionalIdentifiers",
        lambda: package(
            release(parties=[{"id": "p1", "name": "Care Ltd", "additionalIdentifiers": [CHARITY, CHARITY]}])
        ),
        lambda: package(release(parties=[{"id": "p1", "name": "Care Ltd", "additionalIdentifiers": [CHARITY]}])),
    ),
    Case(
        "two-awards-with-the-same-id",
        "ocds.duplicate-id-in-array",
        "error",
        "releases/awards",
        "/releases/0/awards/1/id",
        lambda: package(release(awards=[{"id": "a1"}, {"id": "a1", "title": "Lot 2"}])),
        lambda: package(release(awards=[{"id": "a1"}, {"id": "a2", "title": "Lot 2"}])),
    ),
    Case(
        "package-with-no-releases-has-no-items",
        "ocds.no-items",
        "error",
        "releases",
        "",
        lambda: {**package(), "releases": []},
        package,
    ),
    Case(
        "record-package-with-no-records-has-no-items",
        "ocds.no-items",
        "error",
        "records",
        "",
        lambda: record_package(),
        lambda: record_package(record()),
    ),
    Case(
        "release-outside-a-package-is-not-packaged",
        "ocds.not-packaged",
        "info",
        "",
        "",
        release,
        package,
    ),
    Case(
        "record-mixing-linked-and-embedded-releases-matches-no-shape",
        "schema.one-of",
        "error",
        "records/releases",
        "/records/0/releases",
        lambda: record_package(record(releases=[linked_release(), release()])),
        lambda: record_package(record(releases=[linked_release(1), linked_release(2)])),
    ),
    Case(
        "empty-release-id-is-too-short",
        "schema.string-length",
        "error",
        "releases/id",
        "/releases/0/id",
        lambda: package(release(id="")),
        package,
    ),
    Case(
        "negative-distance-is-out-of-range",
        "schema.number-range",
        "error",
        "releases/contracts/publicPassengerTransportServicesKilometers",
        "/releases/0/contracts/0/publicPassengerTransportServicesKilometers",
        lambda: package(with_contract(publicPassengerTransportServicesKilometers=-1), extensions=(EU_PROFILE,)),
        lambda: package(with_contract(publicPassengerTransportServicesKilometers=12), extensions=(EU_PROFILE,)),
    ),
    Case(
        "misspelt-field-is-an-additional-field",
        "ocds.additional-field",
        "warning",
        "releases/tender/titel",
        "/releases/0/tender/titel",
        lambda: package(release(tender={"id": "hc-001", "titel": "Home care"})),
        package,
    ),
    Case(
        "budget-source-is-deprecated",
        "ocds.deprecated-field",
        "warning",
        "releases/planning/budget/source",
        "/releases/0/planning/budget/source",
        lambda: package(release(planning={"budget": {"source": "https://borsetdale.gov.uk/budget"}})),
        lambda: package(release(planning={"budget": {"description": "Adult social care budget"}})),
    ),
    Case(
        "tender-amendment-is-deprecated",
        "ocds.deprecated-field",
        "warning",
        "releases/tender/amendment",
        "/releases/0/tender/amendment",
        lambda: package(with_tender(amendment={"rationale": "Longer contract"})),
        lambda: package(with_tender(amendments=[{"id": "am1", "rationale": "Longer contract"}])),
    ),
    Case(
        "transaction-amount-is-deprecated",
        "ocds.deprecated-field",
        "warning",
        "releases/contracts/implementation/transactions/amount",
        "/releases/0/contracts/0/implementation/transactions/0/amount",
        lambda: package(with_contract(implementation={"transactions": [{"id": "t1", "amount": money(10)}]})),
        lambda: package(with_contract(implementation={"transactions": [{"id": "t1", "value": money(10)}]})),
    ),
    Case(
        "award-criteria-outside-its-open-codelist",
        "ocds.open-codelist-value",
        "info",
        "releases/tender/awardCriteria",
        "/releases/0/tender/awardCriteria",
        lambda: package(with_tender(awardCriteria="cheapest")),
        lambda: package(with_tender(awardCriteria="priceOnly")),
    ),
    Case(
        "empty-text-is-an-empty-field",
        "ocds.empty-field",
        "warning",
        "releases/tender/procurementMethodRationale",
        "/releases/0/tender/procurementMethodRationale",
        lambda: package(with_tender(procurementMethodRationale="")),
        lambda: package(with_tender(procurementMethodRationale="Below threshold")),
    ),
    Case(
        "two-releases-with-the-same-ocid-and-id",
        "ocds.duplicate-release-id",
        "error",
        "releases/id",
        "/releases/1/id",
        lambda: two_releases(second_id="1"),
        two_releases,
    ),
    Case(
        "two-records-with-the-same-ocid",
        "ocds.duplicate-record-ocid",
        "error",
        "records/ocid",
        "/records/1/ocid",
        lambda: record_package(record(), record()),
        lambda: record_package(record(), record("ocds-b5fd17-hc-002")),
    ),
    Case(
        "ocids-without-a-registered-prefix",
        "ocds.ocid-prefix",
        "warning",
        "releases/ocid",
        "/releases/0/ocid",
        lambda: package(release(ocid="borsetdale-hc-001"), release(ocid="borsetdale-hc-002")),
        lambda: package(release(), release(ocid="ocds-b5fd17-hc-002")),
        count=2,
    ),
    Case(
        "record-ocid-without-a-registered-prefix",
        "ocds.ocid-prefix",
        "warning",
        "records/ocid",
        "/records/0/ocid",
        lambda: record_package(record("borsetdale-hc-001")),
        lambda: record_package(record()),
    ),
    Case(
        "amount-of-1e9999-cannot-be-read",
        "ocds.unreadable-number",
        "error",
        "releases/tender/value/amount",
        "/releases/0/tender/value/amount",
        lambda: with_amount("1e9999"),
        lambda: with_amount("12345"),
    ),
    Case(
        "package-without-version-is-checked-as-ocds-1-0",
        "ocds.version-missing",
        "info",
        "version",
        "/version",
        lambda: {key: value for key, value in package().items() if key != "version"},
        package,
    ),
    Case(
        "version-2-0-is-unrecognised",
        "ocds.version-unrecognised",
        "warning",
        "version",
        "/version",
        lambda: package(version="2.0"),
        package,
    ),
    Case(
        "extension-opencare-has-no-copy-of-is-not-applied",
        "ocds.extension-not-applied",
        "warning",
        "extensions",
        "/extensions",
        lambda: package(extensions=(METRICS, f"{EXTENSIONS}/ocds_no_such_extension/master/extension.json")),
        package,
    ),
    Case(
        "two-releases-of-one-process-with-the-same-date",
        "ocds.same-date-for-ocid",
        "warning",
        "releases/date",
        "/releases/1/date",
        lambda: two_releases(second_date=DATE),
        two_releases,
    ),
    Case(
        "tender-period-ending-before-it-starts",
        "quality.period-end-before-start",
        "warning",
        "releases/tender/tenderPeriod",
        "/releases/0/tender/tenderPeriod",
        lambda: package(with_tender(tenderPeriod={"startDate": "2024-02-01T00:00:00Z", "endDate": DATE})),
        lambda: package(with_tender(tenderPeriod={"startDate": DATE, "endDate": "2024-02-01T00:00:00Z"})),
    ),
    Case(
        "award-dated-before-the-tender-started",
        "quality.dates-out-of-order",
        "warning",
        "releases/awards/date",
        "/releases/0/awards/0/date",
        lambda: package(
            with_tender(tenderPeriod={"startDate": "2024-02-01T00:00:00Z"}) | {"awards": [{"id": "a1", "date": DATE}]}
        ),
        lambda: package(
            with_tender(tenderPeriod={"startDate": DATE}) | {"awards": [{"id": "a1", "date": "2024-02-01T00:00:00Z"}]}
        ),
    ),
    Case(
        "contract-signed-before-its-award",
        "quality.dates-out-of-order",
        "warning",
        "releases/contracts/dateSigned",
        "/releases/0/contracts/0/dateSigned",
        lambda: package(with_contract({"id": "a1", "date": "2024-02-01T00:00:00Z"}, dateSigned=DATE)),
        lambda: package(with_contract({"id": "a1", "date": DATE}, dateSigned="2024-02-01T00:00:00Z")),
    ),
    Case(
        "contract-worth-more-than-its-award",
        "quality.contract-value-above-award",
        "warning",
        "releases/contracts/value/amount",
        "/releases/0/contracts/0/value/amount",
        lambda: package(with_contract({"id": "a1", "value": money(100)}, value=money(200))),
        lambda: package(with_contract({"id": "a1", "value": money(200)}, value=money(200))),
    ),
    Case(
        "payments-adding-up-to-more-than-the-contract",
        "quality.transactions-above-contract",
        "warning",
        "releases/contracts/implementation/transactions",
        "/releases/0/contracts/0/implementation/transactions",
        lambda: package(with_transactions(200, 150, 100)),
        lambda: package(with_transactions(200, 150, 50)),
    ),
    Case(
        "contract-naming-an-award-that-is-not-there",
        "quality.unknown-award-reference",
        "warning",
        "releases/contracts/awardID",
        "/releases/0/contracts/0/awardID",
        lambda: package(release(awards=[{"id": "a1"}], contracts=[{"id": "c1", "awardID": "a2"}])),
        lambda: package(release(awards=[{"id": "a1"}], contracts=[{"id": "c1", "awardID": "a1"}])),
    ),
    Case(
        "award-naming-a-lot-that-is-not-there",
        "quality.unknown-lot-reference",
        "warning",
        "releases/awards/relatedLots",
        "/releases/0/awards/0/relatedLots/0",
        lambda: package(
            with_tender(lots=[{"id": "lot-1"}]) | {"awards": [{"id": "a1", "relatedLots": ["lot-2"]}]},
            extensions=(LOTS,),
        ),
        lambda: package(
            with_tender(lots=[{"id": "lot-1"}]) | {"awards": [{"id": "a1", "relatedLots": ["lot-1"]}]},
            extensions=(LOTS,),
        ),
    ),
    Case(
        "buyer-missing-from-parties",
        "quality.unknown-party-reference",
        "warning",
        "releases/buyer/id",
        "/releases/0/buyer/id",
        lambda: package(
            release(buyer={"id": "GB-LAE-BRS", "name": "Borsetdale"}, parties=[{"id": "GB-LAE-XYZ", "name": "X"}])
        ),
        lambda: package(
            release(buyer={"id": "GB-LAE-BRS", "name": "Borsetdale"}, parties=[{"id": "GB-LAE-BRS", "name": "B"}])
        ),
    ),
    Case(
        "observation-with-both-a-value-and-a-measure",
        "metrics.value-and-measure",
        "warning",
        "releases/tender/targets/observations",
        "/releases/0/tender/targets/0/observations/0",
        lambda: package(with_target(observation(value=money(1)))),
        lambda: package(with_target(observation())),
    ),
    Case(
        "observation-with-neither-a-value-nor-a-measure",
        "metrics.no-value-or-measure",
        "warning",
        "releases/tender/targets/observations",
        "/releases/0/tender/targets/0/observations/0",
        lambda: package(with_target({"id": "o1", "unit": PERCENT})),
        lambda: package(with_target(observation())),
    ),
    Case(
        "unit-without-the-uncefact-scheme",
        "metrics.unit-scheme",
        "warning",
        "releases/tender/targets/observations/unit/scheme",
        "/releases/0/tender/targets/0/observations/0/unit/scheme",
        lambda: package(with_target(observation(unit={"scheme": "UNECE", "id": "P1"}))),
        lambda: package(with_target(observation())),
    ),
    Case(
        "unit-code-that-is-not-uncefact",
        "metrics.unknown-unit-code",
        "warning",
        "releases/tender/targets/observations/unit/id",
        "/releases/0/tender/targets/0/observations/0/unit/id",
        lambda: package(with_target(observation(unit={"scheme": "UNCEFACT", "id": "HRS"}))),
        lambda: package(with_target(observation(unit={"scheme": "UNCEFACT", "id": "HUR"}))),
    ),
    Case(
        "actual-without-a-period",
        "metrics.actual-without-period",
        "warning",
        "releases/contracts/implementation/metrics/observations/period",
        "/releases/0/contracts/0/implementation/metrics/0/observations/0/period",
        lambda: package(with_actual(observation())),
        lambda: package(with_actual(observation(period=PERIOD))),
    ),
    Case(
        "target-and-actual-in-different-units",
        "metrics.unit-mismatch",
        "warning",
        "releases/metrics",
        "",
        lambda: package(with_target_and_actual(PERCENT, COUNT)),
        lambda: package(with_target_and_actual(PERCENT, PERCENT)),
    ),
    Case(
        "metric-that-is-not-in-the-catalogue",
        "metrics.local-metric",
        "info",
        "releases/tender/targets/id",
        "/releases/0/tender/targets/0/id",
        lambda: package(with_target(observation(), metric_id="borsetdale-visits-logged")),
        lambda: package(with_target(observation())),
    ),
    Case(
        "measure-classification-that-is-not-a-uk-code",
        "metrics.measure-classification",
        "warning",
        "releases/tender/targets/observations/measureClassification/id",
        "/releases/0/tender/targets/0/observations/0/measureClassification/id",
        lambda: package(
            with_target(observation(measureClassification={"id": "passed"})), extensions=(METRICS, EU_PROFILE, UK)
        ),
        lambda: package(
            with_target(observation(measureClassification={"id": "met"})), extensions=(METRICS, EU_PROFILE, UK)
        ),
    ),
    Case(
        "survey-count-below-five-people",
        "metrics.small-survey-count",
        "warning",
        "releases/contracts/implementation/metrics/observations/measure",
        "/releases/0/contracts/0/implementation/metrics/0/observations/0/measure",
        lambda: package(with_actual(observation(measure=3, unit=COUNT, period=PERIOD), "sc-satisfaction")),
        lambda: package(with_actual(observation(measure=12, unit=COUNT, period=PERIOD), "sc-satisfaction")),
    ),
    Case(
        "review-met-on-a-day-after-the-release",
        "quality.milestone-met-in-future",
        "error",
        "releases/contracts/implementation/milestones/dateMet",
        "/releases/0/contracts/0/implementation/milestones/0/dateMet",
        lambda: package(with_contract(implementation={"milestones": [review_milestone("2024-04-10T00:00:00Z")]})),
        lambda: package(with_contract(implementation={"milestones": [review_milestone("2023-12-10T00:00:00Z")]})),
    ),
    Case(
        "review-met-with-only-a-due-date-still-to-come",
        "quality.milestone-met-in-future",
        "error",
        "releases/contracts/implementation/milestones/dueDate",
        "/releases/0/contracts/0/implementation/milestones/0/dueDate",
        lambda: package(
            with_contract(implementation={"milestones": [review_milestone("2999-01-10T00:00:00Z", met=False)]})
        ),
        lambda: package(
            with_contract(
                implementation={
                    "milestones": [review_milestone("2999-01-10T00:00:00Z", met=False) | {"status": "scheduled"}]
                }
            )
        ),
    ),
    Case(
        "companies-house-number-that-is-too-short",
        "parties.identifier-pattern",
        "warning",
        "releases/parties/identifier/id",
        "/releases/0/parties/0/identifier/id",
        lambda: package(with_party("GB-COH", "1234567")),
        lambda: package(with_party("GB-COH", "01234567")),
    ),
]


def _flagged_params() -> list[Any]:
    def marks(case: Case) -> list[pytest.MarkDecorator]:
        return [pytest.mark.xfail(strict=True, reason=case.wrong)] if case.wrong else []

    return [pytest.param(case, id=case.name, marks=marks(case)) for case in CASES]


@pytest.mark.parametrize("case", _flagged_params())
def test_problem_is_flagged_once_with_its_severity_path_and_count(case: Case):
    report = run(case.broken())
    matching = [finding for finding in findings_of(report, case.check) if finding["path"] == case.path]
    assert matching, [(f["check"], f["path"]) for f in report["findings"]]
    (finding,) = matching
    assert finding["severity"] == case.severity
    assert finding["count"] == case.count
    assert finding["examples"][0]["pointer"] == case.pointer
    assert finding["message"]
    assert finding["how_to_fix"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corrected_data_is_clean(case: Case):
    report = run(case.fixed())
    assert report["findings"] == []
    assert report["valid"] is True


def test_every_check_the_engine_can_emit_has_a_case():
    covered = {case.check for case in CASES}
    assert covered | NEVER_EMITTED | LIMIT_CHECKS == set(TEXTS)
    assert not covered & NEVER_EMITTED


def test_unit_mismatch_across_releases_of_one_process_is_flagged():
    target = with_target(observation(unit=PERCENT))
    actual = with_actual(observation(id="o2", unit=COUNT, period=PERIOD)) | {"id": "2", "date": "2024-03-01T00:00:00Z"}
    (finding,) = findings_of(run(package(target, actual)), "metrics.unit-mismatch")
    assert finding["count"] == 1
    assert finding["examples"][0]["ocid"] == OCID
    assert "C62, P1" in finding["message"]


def test_units_of_different_processes_are_not_compared():
    target = with_target(observation(unit=PERCENT))
    actual = with_actual(observation(id="o2", unit=COUNT, period=PERIOD)) | {"ocid": "ocds-b5fd17-hc-002"}
    assert findings_of(run(package(target, actual)), "metrics.unit-mismatch") == []


def test_a_finding_is_reported_once_per_check_and_path_with_a_count():
    releases = [without_id(release(date=f"2024-01-0{n}T00:00:00Z")) for n in range(1, 4)]
    (finding,) = run(package(*releases))["findings"]
    assert (finding["check"], finding["path"], finding["count"]) == ("schema.required", "releases/id", 3)
    pointers = [example["pointer"] for example in finding["examples"]]
    assert pointers == ["/releases/0/id", "/releases/1/id", "/releases/2/id"]


def test_a_finding_keeps_at_most_five_examples_in_input_order():
    releases = [release(id=str(n), date=f"2024-01-0{n}T00:00:00Z", tag=[]) for n in range(1, 8)]
    (finding,) = findings_of(run(package(*releases)), "schema.min-items")
    assert finding["count"] == 7
    assert [example["pointer"] for example in finding["examples"]] == [f"/releases/{n}/tag" for n in range(5)]
    assert [example["release_id"] for example in finding["examples"]] == ["1", "2", "3", "4", "5"]
    assert {example["ocid"] for example in finding["examples"]} == {OCID}


def test_examples_say_the_value_found():
    (finding,) = run(package(release(date="31/03/2024")))["findings"]
    assert finding["examples"] == [
        {"ocid": OCID, "release_id": "1", "pointer": "/releases/0/date", "value": "31/03/2024"}
    ]


def test_the_valid_base_package_has_no_findings():
    report = review(io.BytesIO(json.dumps(package()).encode()))
    assert report.valid is True
    assert report.findings == []


def test_an_error_makes_the_data_invalid():
    report = review(io.BytesIO(json.dumps(package(release(date="yesterday"))).encode()))
    assert report.valid is False
    assert report.as_json()["valid"] is False


def test_warnings_and_information_leave_the_data_valid():
    report = review(io.BytesIO(json.dumps(package(with_tender(titel="x", awardCriteria="cheapest"))).encode()))
    assert {finding.severity for finding in report.findings} == {"warning", "info"}
    assert report.valid is True


def test_findings_are_ordered_errors_then_warnings_then_information():
    data = package(with_tender(titel="x", awardCriteria="cheapest") | {"date": "yesterday"})
    assert [f["severity"] for f in run(data)["findings"]] == ["error", "warning", "info"]


def test_the_json_report_has_exactly_the_documented_keys():
    report = run(package())
    assert set(report) == REPORT_KEYS
    assert set(report["extensions"]) == {"applied", "not_applied"}
    assert set(report["counts"]) == {"releases", "records", "ocids"}
    assert report["format"] == "release package"
    assert report["version"] == "1.1"
    assert report["standard"] == "1.1.5"
    assert report["extensions"]["applied"] == [{"url": METRICS, "name": "ocds_metrics_extension", "note": ""}]
    assert report["counts"] == {"releases": 1, "records": 0, "ocids": 1}


def test_a_finding_in_the_json_report_has_exactly_the_documented_keys():
    (finding,) = run(package(release(date="yesterday")))["findings"]
    assert set(finding) == {"check", "severity", "path", "count", "message", "how_to_fix", "field", "examples"}
    assert set(finding["field"]) == {"title", "description"}
    assert finding["field"]["title"] == "Release Date"
    assert set(finding["examples"][0]) == {"ocid", "release_id", "pointer", "value"}


def test_record_package_counts_records_and_their_releases():
    report = run(record_package(record(), record("ocds-b5fd17-hc-002", [linked_release(1), linked_release(2)])))
    assert report["format"] == "record package"
    assert report["counts"] == {"releases": 3, "records": 2, "ocids": 2}


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (lambda: package(release(id=["1"])), "releases/id"),
        (lambda: package(release(ocid={"id": "1"})), "releases/ocid"),
        (lambda: package(release(awards=[{"id": ["a1"]}])), "releases/awards/id"),
        (lambda: package(with_contract(awardID=["a1"])), "releases/contracts/awardID"),
        (lambda: package(release(parties=[{"id": ["p1"], "name": "P"}])), "releases/parties/id"),
        (lambda: package(release(buyer={"id": ["p1"]}, parties=[{"id": "p1"}])), "releases/buyer/id"),
        (lambda: package(with_tender(lots=[{"id": ["lot-1"]}]), extensions=(LOTS,)), "releases/tender/lots/id"),
        (
            lambda: package(
                with_tender(lots=[{"id": "lot-1"}]) | {"awards": [{"id": "a1", "relatedLots": [["lot-1"]]}]},
                extensions=(LOTS,),
            ),
            "releases/awards/relatedLots",
        ),
        (
            lambda: package(
                with_target(observation(measureClassification={"id": ["met"]})), extensions=(METRICS, EU_PROFILE, UK)
            ),
            "releases/tender/targets/observations/measureClassification/id",
        ),
        (
            lambda: record_package(record() | {"compiledRelease": release(awards=[{"id": {"a": 1}}])}),
            "records/compiledRelease/awards/id",
        ),
    ],
    ids=["release id", "ocid", "award id", "awardID", "party id", "buyer id", "lot id", "relatedLots entry",
         "measureClassification id", "compiled release award id"],
)  # fmt: skip
def test_an_id_that_is_a_list_or_object_is_a_type_error_not_a_crash(data: Callable[[], Json], path: str):
    report = run(data())
    assert ("schema.type", path) in {(finding["check"], finding["path"]) for finding in report["findings"]}


def test_identical_awards_are_reported_once_as_a_repeated_id():
    report = run(package(release(awards=[{"id": "a1"}, {"id": "a1"}])))
    assert [(f["check"], f["path"], f["count"]) for f in report["findings"]] == [
        ("ocds.duplicate-id-in-array", "releases/awards", 1)
    ]
