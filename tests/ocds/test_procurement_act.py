"""Procurement Act 2023 notices read from OCDS: names, official ratings, which metrics are statutory, regimes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from opencare.ocds.merge import compile_releases
from opencare.ocds.performance import metric_progress, signal
from opencare.ocds.procurement_act import (
    NOTICE_TYPES,
    RATINGS,
    notice_code,
    notices_in,
    official_ratings,
    regime,
    statutory_metric_keys,
)
from opencare.ocds.promises import promises
from opencare.ocds.review import review

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "procurement_act"
OCID = "ocds-h6vhtk-0c0de9"


def _fixture_releases() -> list[dict]:
    return [
        json.loads((FIXTURES / name).read_text())["releases"][0]
        for name in ("uk7-contract-details-made.json", "uk9-contract-performance-made.json")
    ]


def _notice(code: str, notice_id: str, document_type: str = "contractNotice", **extra) -> dict:
    return {"id": notice_id, "documentType": document_type, "noticeType": code, **extra}


def _co_designed_release() -> dict:
    """A provider's monthly figure for a co-designed target, posted in a release that is no notice."""
    return {
        "ocid": OCID,
        "id": "opencare-1",
        "date": "2027-05-01T00:00:00Z",
        "tag": ["implementation"],
        "contracts": [
            {
                "id": "1",
                "agreedMetrics": [
                    {"id": "local-visits", "title": "Visits on time", "observations": [{"id": "t", "measure": 95}]}
                ],
                "implementation": {
                    "metrics": [
                        {
                            "id": "local-visits",
                            "observations": [
                                {
                                    "id": "2027-04",
                                    "period": {"startDate": "2027-04-01", "endDate": "2027-04-30"},
                                    "measure": 90,
                                    "measureClassification": {"id": "below"},
                                }
                            ],
                        }
                    ]
                },
            }
        ],
    }


def test_every_notice_type_uk1_to_uk17_has_a_plain_english_name():
    assert list(NOTICE_TYPES) == [f"UK{number}" for number in range(1, 18)]
    assert NOTICE_TYPES["UK7"].label == "Contract details notice (UK7)"
    assert NOTICE_TYPES["UK9"].label == "Contract performance notice (UK9)"
    assert all(notice.name and notice.purpose for notice in NOTICE_TYPES.values())


def test_the_rating_scale_is_the_laws_words_for_the_uk_extension_ids():
    assert {code: rating.name for code, rating in RATINGS.items()} == {
        "met": "Good",
        "slightlyBelow": "Approaching target",
        "below": "Requires improvement",
        "significantlyBelow": "Inadequate",
        "other": "Other",
    }


def test_notice_code_reads_notice_type_and_takes_an_implementation_notice_for_a_uk9():
    assert notice_code({"noticeType": "UK10"}) == "UK10"
    assert notice_code({"noticeType": "uk4"}) == "UK4"
    assert notice_code({"documentType": "implementationNotice"}) == "UK9"
    assert notice_code({"noticeType": "UK18"}) == ""
    assert notice_code({"noticeType": "F03"}) == ""
    assert notice_code({"documentType": "contractNotice"}) == ""


def test_notices_in_a_release_come_from_every_stage_once_each_and_only_web_links():
    release = {
        "planning": {"documents": [_notice("UK2", "1-2026", "marketEngagementNotice")]},
        "tender": {"documents": [_notice("UK4", "2-2026", "tenderNotice"), {"id": "spec", "documentType": "x"}]},
        "awards": [{"documents": [_notice("UK6", "3-2026", "awardNotice", url="javascript:alert(1)")]}],
        "contracts": [
            {"documents": [_notice("UK7", "4-2026", datePublished="2026-04-14T10:30:00+01:00")]},
            {"documents": [_notice("UK7", "4-2026")]},  # the same notice on a second lot's contract
        ],
    }
    notices = notices_in(release)
    assert [notice.label for notice in notices] == [
        "Preliminary market engagement notice (UK2)",
        "Tender notice (UK4)",
        "Contract award notice (UK6)",
        "Contract details notice (UK7)",
    ]
    assert notices[2].url == ""
    assert notices[3].published == date(2026, 4, 14)
    assert notices_in({"tag": ["tender"], "tender": {"documents": "not a list"}}) == []


def test_real_find_a_tender_releases_name_their_notices():
    path = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
    package = json.loads((path / "fts-ocds-release-package-2026-09-03-p001-excerpt.json").read_text())
    labels = [notice.label for release in package["releases"] for notice in notices_in(release)]
    assert labels == [
        "Contract change notice (UK10)",
        "Pipeline notice (UK1)",
        "Preliminary market engagement notice (UK2)",
        "Contract details notice (UK7)",
        "Tender notice (UK4)",
    ]


def test_only_metrics_published_on_a_notice_are_statutory():
    releases = [*_fixture_releases(), _co_designed_release()]
    assert statutory_metric_keys(releases) == {("1", "1"), ("1", "2"), ("1", "3")}


def test_official_ratings_never_count_as_co_designed_figures_and_co_designed_ones_stay():
    releases = [*_fixture_releases(), _co_designed_release()]
    compiled = compile_releases(releases)
    statutory = statutory_metric_keys(releases)
    progress = metric_progress(compiled, statutory)
    assert [metric.metric_id for metric in progress] == ["local-visits"]
    assert [reading.classification for reading in progress[0].actuals] == ["below"]
    assert signal(progress).measured == 1  # the UK9's "met" is not one of them
    # Without knowing which releases are notices, the UK9's ratings would pass for co-designed figures.
    assert {metric.metric_id for metric in metric_progress(compiled)} == {"1", "2", "3", "local-visits"}


def test_uk7_kpis_are_the_statutory_kpis_and_not_co_designed_standards():
    releases = [*_fixture_releases(), _co_designed_release()]
    promised = promises(compile_releases(releases), statutory_metric_keys(releases))
    assert [kpi.title for kpi in promised.statutory_kpis] == [
        "Equipment delivered on time",
        "Urgent deliveries the same day",
        "Equipment collected when no longer needed",
    ]
    assert [target.metric_id for target in promised.standards] == ["local-visits"]


def test_official_ratings_keep_each_notices_rating_and_assessment_period():
    uk7, uk9 = _fixture_releases()
    later = json.loads(json.dumps(uk9))  # a second UK9 a year on, reusing the observation ids as publishers do
    later["id"] = "040000-2028"
    later["contracts"][0]["documents"][0].update(id="040000-2028", datePublished="2028-04-20T09:00:00+01:00")
    for metric in later["contracts"][0]["implementation"]["metrics"]:
        observation = metric["observations"][0]
        observation["id"] = f"{uk9['id']}-{metric['id']}"
        observation["period"] = {"startDate": "2027-04-01T00:00:00+01:00", "endDate": "2028-03-31T23:59:59+01:00"}
        observation["measureClassification"] = {"id": "significantlyBelow"}
    releases = [uk7, uk9, later]
    ratings = official_ratings(releases, compile_releases(releases))
    assert [(r.notice.notice_id, r.kpi_title, r.rating_name, r.period_end) for r in ratings[::3]] == [
        ("038915-2027", "Equipment delivered on time", "Good", date(2027, 3, 31)),
        ("040000-2028", "Equipment delivered on time", "Inadequate", date(2028, 3, 31)),
    ]
    assert ratings[1].rating_name == "Approaching target"
    assert ratings[0].notes == "Delivered on time for 96% of orders in the year."


def test_a_rating_off_the_scale_is_shown_as_published_and_a_missing_title_comes_from_the_uk7():
    uk7, uk9 = _fixture_releases()
    metric = uk9["contracts"][0]["implementation"]["metrics"][0]
    del metric["title"]
    metric["observations"][0]["measureClassification"] = {"id": "excellent"}
    rating = official_ratings([uk7, uk9], compile_releases([uk7, uk9]))[0]
    assert rating.kpi_title == "Equipment delivered on time"
    assert (rating.rating_name, rating.on_scale) == ("excellent", False)


def test_light_touch_and_the_provider_selection_regime_need_no_kpis():
    assert regime({"tender": {"specialRegime": ["lightTouch"]}}).code == "light-touch"
    psr_basis = {"tender": {"legalBasis": {"id": "2023/1348", "scheme": "UKSI"}}}
    assert regime(psr_basis).code == "provider-selection-regime"
    psr_words = {"tender": {"description": "Awarded under the Provider Selection Regime (Direct Award C)."}}
    assert regime(psr_words).code == "provider-selection-regime"
    assert not regime({"tender": {"specialRegime": ["utilities"], "title": "Community equipment"}}).exempt_from_kpis
    assert not regime({"tender": {"specialRegime": "lightTouch"}}).exempt_from_kpis  # not a list: not read


def test_the_made_uk7_and_uk9_fixtures_have_no_errors_or_warnings_in_review():
    for name in ("uk7-contract-details-made.json", "uk9-contract-performance-made.json"):
        report = review(FIXTURES / name)
        assert report.valid, name
        assert [finding.check for finding in report.findings if finding.severity != "info"] == [], name


def test_malformed_notices_and_ratings_give_nothing_rather_than_an_error():
    odd = {
        "tag": ["implementation"],
        "tender": {"documents": [{"noticeType": 9}, "UK9", None]},
        "contracts": [
            {"id": 1, "documents": [{"noticeType": "UK9", "datePublished": "soon", "url": 7}]},
            {
                "id": "1",
                "documents": {"noticeType": "UK9"},
                "implementation": {
                    "metrics": [
                        {"id": ["1"], "observations": [{"period": "2026", "measureClassification": ["met"]}]},
                        {"id": "2", "observations": "none"},
                    ]
                },
            },
        ],
    }
    notices = notices_in(odd)
    assert [(notice.code, notice.url, notice.published) for notice in notices] == [("UK9", "", None)]
    assert statutory_metric_keys([odd, "not a release"]) == {("1", "2")}  # type: ignore[list-item]
    ratings = official_ratings([odd, "not a release"], {"contracts": "none"})  # type: ignore[list-item]
    assert [(r.kpi_title, r.rating, r.period_end) for r in ratings] == [("KPI", "", None)]
    assert regime({"tender": {"specialRegime": [None, 3, "lightTouch"]}}).code == "light-touch"
    assert regime({"tender": "closed"}).code == ""
