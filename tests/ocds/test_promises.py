"""What was promised: documents with page references, method statement commitments, terms, reviews, failures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from opencare.ocds.promises import failures, promises, reviews


def _compiled() -> dict:
    return {
        "description": "Care at home.",
        "tender": {
            "documents": [
                {"id": "s", "documentType": "technicalSpecifications", "title": "Specification", "pageStart": "14",
                 "pageEnd": "22", "url": "https://example.org/spec.pdf"},
                {"id": "x", "title": "Bad link", "url": "javascript:alert(1)"},
            ],
            "contractTerms": {"socialStandards": "Real Living Wage for all working time."},
            "lots": [{"id": "1", "title": "Lot 1", "value": {"amount": 1000, "currency": "GBP"}}],
            "contractPeriod": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z",
                               "durationInMonths": 36},
            "options": {"description": "One extension of 24 months."},
            "numberOfTenderers": 3,
        },
        "awards": [{"id": "a1", "suppliers": [{"name": "Provider Ltd"}]}],
        "contracts": [{
            "id": "c1", "awardID": "a1", "title": "Lot 1 contract",
            "documents": [
                {"id": "ms-1", "documentType": "submissionDocuments",
                 "title": "Method statement: each person has a named keyworker", "pageStart": "3", "pageEnd": "3"},
                {"id": "signed", "documentType": "contractSigned", "title": "Signed contract"},
            ],
            "implementation": {
                "milestones": [
                    {"id": "q2", "title": "Review 2", "dueDate": "2024-10-10T00:00:00Z", "status": "met"},
                    {"id": "q1", "title": "Review 1", "dueDate": "2024-07-10T00:00:00Z", "status": "met",
                     "documents": [{"id": "m", "title": "Minutes", "url": "https://example.org/m.pdf"}]},
                ],
                "performanceFailures": [{"id": "pf", "category": "Missed visits", "events": 12,
                                         "period": {"endDate": "2025-01-31T00:00:00Z"},
                                         "penaltyImposed": "An improvement notice."}],
            },
        }],
    }  # fmt: skip


def test_commitments_come_from_method_statements_with_the_page_and_the_provider():
    [commitment] = promises(_compiled()).commitments
    assert commitment.text == "each person has a named keyworker"
    assert commitment.supplier_name == "Provider Ltd"
    assert commitment.document.pages == "3"


def test_documents_keep_page_ranges_and_only_web_addresses_become_links():
    specification, bad = promises(_compiled()).specification
    assert (specification.pages, specification.url, specification.type_name) == (
        "14 to 22", "https://example.org/spec.pdf", "Specification",
    )  # fmt: skip
    assert bad.url == ""


def test_terms_lots_duration_options_and_bids_are_read():
    promised = promises(_compiled())
    assert promised.terms == (("Pay and working conditions", "Real Living Wage for all working time."),)
    assert [(lot.title, lot.value) for lot in promised.lots] == [("Lot 1", 1000)]
    assert (promised.start, promised.duration_months, promised.tenderers) == (date(2024, 4, 1), 36, 3)
    assert promised.options == "One extension of 24 months."
    assert [d.title for d in promised.contract_documents] == ["Signed contract"]


def test_reviews_are_oldest_first_with_their_documents_and_failures_are_read():
    assert [(r.title, len(r.documents)) for r in reviews(_compiled())] == [("Review 1", 1), ("Review 2", 0)]
    [failure] = failures(_compiled())
    assert (failure.category, failure.events, failure.penalty_imposed) == (
        "Missed visits",
        "12",
        "An improvement notice.",
    )


def test_an_empty_or_malformed_release_promises_nothing_without_error():
    for compiled in ({}, {"tender": [], "contracts": "x"}):
        promised = promises(compiled)
        assert (promised.service, promised.commitments, promised.lots) == ("", (), ())
        assert reviews(compiled) == failures(compiled) == []


def _percent(metric_id: str, measure: float, **extra) -> dict:
    unit = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
    return {"id": metric_id, "observations": [{"id": "t", "measure": measure, "unit": unit}], **extra}


def test_targets_come_from_the_contract_the_award_and_the_tender_with_unit_and_better_direction():
    compiled = _compiled()
    compiled["buyer"] = {"name": "Borsetdale Council"}
    compiled["tender"]["targets"] = [_percent("sc-missed-visits", 3), _percent("sc-referral-acceptance", 95)]
    compiled["awards"][0]["agreedMetrics"] = [_percent("sc-punctuality", 85)]
    compiled["contracts"][0]["agreedMetrics"] = [
        _percent("sc-missed-visits", 2, description="Visits not made, of those planned."),
        _percent("sc-punctuality", 90),
        {"id": "local-visits", "title": "Home visits by a nurse",
         "observations": [{"id": "t", "measure": 12, "unit": {"id": "C62", "name": "one"}}]},
    ]  # fmt: skip
    found = [
        (t.agreed_in, t.metric_id, t.title, t.amount, t.unit_id, t.better, t.limit, t.supplier_name, t.buyer_name)
        for t in promises(compiled).targets
    ]
    assert found == [
        ("contract", "sc-missed-visits", "Missed visits", 2, "P1", "lower", "at-most", "Provider Ltd",
         "Borsetdale Council"),
        ("contract", "sc-punctuality", "Visits on time", 90, "P1", "higher", "at-least", "Provider Ltd",
         "Borsetdale Council"),
        ("contract", "local-visits", "Home visits by a nurse", 12, "C62", "neither", "exactly", "Provider Ltd",
         "Borsetdale Council"),
        ("tender", "sc-referral-acceptance", "New care requests accepted on time", 95, "P1", "higher", "at-least",
         "Provider Ltd", "Borsetdale Council"),
    ]  # fmt: skip
    assert promises(compiled).targets[0].description == "Visits not made, of those planned."


def test_a_process_with_no_contract_yet_shows_the_tenders_targets_and_price_and_pay_are_not_standards():
    compiled = {"tender": {"targets": [_percent("sc-missed-visits", 3)]}}
    compiled["tender"]["targets"].append(
        {"id": "sc-worker-pay-per-hour", "observations": [{"id": "p", "value": {"amount": 12.6, "currency": "GBP"}}]}
    )
    promised = promises(compiled)
    assert [(t.agreed_in, t.metric_id) for t in promised.targets] == [
        ("tender", "sc-missed-visits"),
        ("tender", "sc-worker-pay-per-hour"),
    ]
    assert promised.targets[1].amount == Decimal("12.6")
    assert promised.targets[1].currency == "GBP"
    assert [t.metric_id for t in promised.standards] == ["sc-missed-visits"]


def test_the_same_target_in_every_lot_is_one_standard_in_plain_words():
    compiled = {
        "awards": [{"id": "a1"}, {"id": "a2"}],
        "contracts": [
            {"id": "c1", "awardID": "a1", "agreedMetrics": [_percent("sc-missed-visits", 2)]},
            {"id": "c2", "awardID": "a2", "agreedMetrics": [_percent("sc-missed-visits", 2)]},
        ],
    }
    promised = promises(compiled)
    assert len(promised.standards) == 2
    assert len(promised.distinct_standards) == 1


def test_a_review_is_planned_until_its_date_has_passed_whatever_its_status_says():
    compiled = {
        "contracts": [{
            "id": "c1", "title": "Lot 1",
            "implementation": {"milestones": [
                {"id": "past", "title": "Q1", "status": "met", "dateMet": "2025-07-10T00:00:00Z",
                 "description": "Missed visits discussed; an action plan agreed."},
                {"id": "future", "title": "Q2", "status": "met", "dueDate": "2025-10-10T00:00:00Z",
                 "dateMet": "2025-10-10T00:00:00Z"},
                {"id": "scheduled", "title": "Q3", "status": "scheduled", "dueDate": "2026-01-10T00:00:00Z"},
                {"id": "missed", "title": "Q0", "status": "notMet", "dueDate": "2025-04-10T00:00:00Z"},
            ]},
        }],
    }  # fmt: skip
    found = [(r.title, r.planned) for r in reviews(compiled, today=date(2025, 8, 1))]
    assert found == [("Q0", False), ("Q1", False), ("Q2", True), ("Q3", True)]
    assert (
        reviews(compiled, today=date(2025, 8, 1))[1].description == "Missed visits discussed; an action plan agreed."
    )
    assert not any(review.planned for review in reviews(compiled))  # no day given: nothing is judged
