"""A release's history entry says in plain English what it brought."""

from __future__ import annotations

from datetime import date

from opencare.ocds.release_changes import release_changes, release_headline, release_updates


def test_headline_names_tags_in_plain_english_once_each():
    assert release_headline(["implementation", "implementationUpdate"]) == "Progress report"
    assert release_headline(["award", 5]) == "Contract awarded"
    assert release_headline([]) == "Release"


def test_changes_count_what_the_release_holds():
    release = {
        "tender": {"documents": [{}, {}], "targets": [{}]},
        "awards": [{"suppliers": [{"name": "A"}]}],
        "contracts": [{"dateSigned": "2024-01-01", "documents": [{}],
                       "implementation": {"metrics": [{}, {}], "transactions": [{}], "milestones": [{}]}}],
    }  # fmt: skip
    assert release_changes(release) == [
        "Tender details: 2 documents, 1 target",
        "Award: 1 award, 1 provider",
        "Contract: 1 contract, 1 document",
        "Performance: 2 measures, 1 payment, 1 review",
    ]


def test_an_empty_release_has_no_changes():
    assert release_changes({}) == []


def test_a_contract_counts_the_targets_it_agrees():
    release = {"contracts": [{"dateSigned": "2026-03-20", "documents": [{}], "agreedMetrics": [{}, {}, {}]}]}
    assert release_changes(release) == ["Contract: 1 contract, 1 document, 3 targets"]


def _monthly(month: str, payment: str, review_status: str) -> dict:
    period = {"startDate": f"{month}-01T00:00:00Z", "endDate": f"{month}-28T23:59:59Z"}
    return {
        "tag": ["implementationUpdate"],
        "awards": [{"id": "a1", "suppliers": [{"name": "Moorside Care"}]}],
        "contracts": [{"id": "c1", "implementation": {
            "metrics": [{"id": m, "observations": [{"id": f"{m}-{month}", "period": period}]} for m in ("mv", "pu")],
            "transactions": [{"id": payment}],
            "milestones": [{"id": "review-q1", "status": review_status}],
        }}],
    }  # fmt: skip


def test_updates_count_only_what_earlier_releases_did_not_already_say():
    releases = [
        {"tag": ["tender"], "tender": {"documents": [{"id": "d1"}, {"id": "d2"}], "targets": [{"id": "t1"}]}},
        {"tag": ["award"], "tender": {"documents": [{"id": "d1"}, {"id": "d2"}]},
         "awards": [{"id": "a1", "suppliers": [{"name": "Moorside Care"}]}]},
        _monthly("2025-03", "pay-1", "scheduled"),
        _monthly("2025-04", "pay-2", "scheduled"),
        _monthly("2025-05", "pay-3", "met"),
    ]  # fmt: skip
    tender, award, march, april, may = release_updates(releases)
    assert (tender.stage, tender.tender_documents, tender.tender_targets) == ("tender", 2, 1)
    assert (award.stage, award.tender_documents, award.providers) == ("award", 0, ("Moorside Care",))
    assert march.providers == ()  # the award repeated in a progress report is not news
    assert [(f.start, f.end, f.measures, f.one_month) for f in march.figures] == [
        (date(2025, 3, 1), date(2025, 3, 28), 2, True)
    ]
    assert (march.payments, march.reviews_planned, march.reviews_held) == (1, 1, 0)
    assert (april.payments, april.reviews_planned, april.reviews_held) == (1, 0, 0)  # the same review, still planned
    assert (may.reviews_planned, may.reviews_held) == (0, 1)  # ... and now held
