"""What was promised: documents with page references, method statement commitments, terms, reviews, failures."""

from __future__ import annotations

from datetime import date

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
