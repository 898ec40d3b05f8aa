"""The release builder turns what publishers enter into releases that pass the review with no errors."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import orjson

from opencare.ocds import release_builder as rb
from opencare.ocds.merge import compile_releases
from opencare.ocds.performance import metric_progress
from opencare.ocds.review.engine import review

OCID = "ocds-opncar-test-1"
COUNCIL = rb.Party("GB-LAE", "BSD", "Borsetdale Council", "Town Hall", "Borsetdale", "BD0 1TH", "Team", "a@b.org")
PROVIDER = rb.Party("GB-COH", "01234567", "Moorside Care Ltd")
PERCENT = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
SPEC = rb.Document(
    "spec",
    "technicalSpecifications",
    "Specification",
    "https://example.org/spec.pdf",
    "2026-01-05T00:00:00Z",
    format="application/pdf",
    page_start="3",
    page_end="9",
)


def header(release_id: str, *tags: str) -> rb.ReleaseHeader:
    return rb.ReleaseHeader(
        OCID,
        release_id,
        f"2026-0{len(release_id) % 9 + 1}-01T09:00:00Z",
        tags,
        COUNCIL,
        "Home care in Borsetdale",
        "Care at home for adults",
    )


def every_kind_of_release() -> list[dict]:
    targets = (
        rb.MetricTarget("sc-missed-visits", "Missed visits", "Share of visits missed", Decimal(2), PERCENT),
        rb.MetricTarget("sc-punctuality", "Visits on time", "", Decimal("95.5"), PERCENT),
        rb.MetricTarget("sc-continuity-of-carer", "Same care workers", "", Decimal(80), PERCENT),
    )
    process = rb.ProcessFacts(
        "Home care in Borsetdale",
        "Care at home for adults",
        "85312400",
        "Welfare services",
        "Borsetdale",
        "GBP",
        Decimal(1200000),
        date(2026, 4, 1),
        date(2029, 3, 31),
        (rb.Lot("1", "North"), rb.Lot("2", "South")),
        "One extension of 24 months",
        "Quality 70%, price 30%",
        (SPEC,),
        targets,
    )
    contract = rb.ContractFacts(
        "award-1",
        "contract-1",
        PROVIDER,
        "North: contract with Moorside",
        "GBP",
        Decimal(600000),
        date(2026, 4, 1),
        date(2029, 3, 31),
        date(2026, 3, 1),
        Decimal("28.50"),
        Decimal("12.60"),
        "Real Living Wage",
        "1",
        rb.ContractTerms("Real Living Wage", "Monthly figures"),
        targets,
    )
    actuals = [
        rb.Actual(
            "sc-missed-visits",
            "Missed visits",
            date(2026, 4, 1),
            date(2026, 4, 30),
            Decimal("1.5"),
            PERCENT,
            classification="met",
        ),
        rb.Actual(
            "sc-missed-visits",
            "Missed visits",
            date(2026, 5, 1),
            date(2026, 5, 31),
            Decimal(3),
            PERCENT,
            classification="below",
        ),
    ]
    review_ = rb.Review("review-1", "Quarterly review", "The first quarter", date(2026, 4, 10), (SPEC,))
    failure = rb.Failure(
        "pf-1",
        date(2026, 5, 1),
        date(2026, 5, 31),
        "Missed visits",
        12,
        "2% at most",
        "Snow",
        date(2026, 6, 10),
        "A notice",
        "A notice",
        False,
    )
    return [
        rb.tender_release(header("t", "tender"), process),
        rb.contract_release(header("c1", "award", "contract"), contract),
        rb.actuals_release(header("a1x", "implementation"), PROVIDER, "contract-1", "award-1", actuals),
        rb.review_release(header("r1xx", "implementationUpdate"), "contract-1", "award-1", review_),
        rb.failure_release(header("f1xxx", "implementationUpdate"), PROVIDER, "contract-1", "award-1", failure),
        rb.documents_release(header("d1xxxx", "contractUpdate"), PROVIDER, "contract-1", "award-1", [SPEC]),
        rb.amendment_release(
            header("m1xxxxx", "contractAmendment"),
            "contract-1",
            "award-1",
            rb.Amendment("am-1", "More hours", "Value raised", Decimal(700000), date(2029, 9, 30)),
            "GBP",
            date(2026, 4, 1),
        ),
    ]


def test_every_kind_of_release_passes_the_review_with_no_errors():
    package = rb.release_package(
        every_kind_of_release(),
        uri="https://x.example/p.json",
        published_date="2026-08-01T00:00:00Z",
        publisher="Test",
        licence="https://l.example",
    )
    report = review(io.BytesIO(orjson.dumps(package)))
    errors = [finding.as_json() for finding in report.findings if finding.severity == "error"]
    assert errors == []
    assert [finding.check for finding in report.findings if finding.check == "ocds.additional-field"] == []
    assert report.extensions_not_applied == []


def test_compiled_releases_keep_targets_and_every_period_of_actuals():
    compiled = compile_releases(sorted(every_kind_of_release(), key=lambda r: r["date"]))
    contract = compiled["contracts"][0]
    assert [m["id"] for m in contract["agreedMetrics"]][:2] == ["sc-price-per-hour", "sc-worker-pay-per-hour"]
    observations = contract["implementation"]["metrics"][0]["observations"]
    assert [o["measureClassification"]["id"] for o in observations] == ["met", "below"]
    assert contract["value"]["amount"] == 700000
    assert contract["amendments"][0]["rationale"] == "More hours"
    progress = {m.metric_id: m for m in metric_progress(compiled)}
    assert progress["sc-missed-visits"].target == Decimal(2)


def test_a_figure_is_classified_by_which_way_is_better():
    assert rb.classification_against(Decimal(1), Decimal(2), "lower") == "met"
    assert rb.classification_against(Decimal(3), Decimal(2), "lower") == "below"
    assert rb.classification_against(Decimal(94), Decimal(95), "higher") == "below"
    assert rb.classification_against(Decimal(95), Decimal(95), "higher") == "met"
    assert rb.classification_against(Decimal(95), None, "higher") == ""
    assert rb.classification_against(Decimal(95), Decimal(1), "neither") == ""


def test_whole_numbers_are_published_without_a_decimal_point():
    target = rb.MetricTarget("sc-missed-visits", "Missed visits", "", Decimal("2.0"), PERCENT)
    metric = rb.targets_release(header("x", "contractUpdate"), "c", "a", [target])["contracts"][0]["agreedMetrics"][0]
    assert orjson.dumps(metric["observations"][0]["measure"]) == b"2"
