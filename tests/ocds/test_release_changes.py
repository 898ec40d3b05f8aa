"""A release's history entry says in plain English what it brought."""

from __future__ import annotations

from opencare.ocds.release_changes import release_changes, release_headline


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
