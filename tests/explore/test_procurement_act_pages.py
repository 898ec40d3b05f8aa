"""Procurement Act notices on a contract's pages: imported through `opencare import`'s service, then read as a
person would. The UK7 + UK9 pair is made from the Cabinet Office UK extension (tests/fixtures/procurement_act); the
light-touch contract is a real Find a Tender release (tests/fixtures/realdata)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from opencare.registry.imports import import_paths
from opencare.registry.models import ContractMetric, Process
from opencare.registry.services import get_or_create_source, store_release_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UK7 = FIXTURES / "procurement_act" / "uk7-contract-details-made.json"
UK9 = FIXTURES / "procurement_act" / "uk9-contract-performance-made.json"
FTS_REAL = FIXTURES / "realdata" / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"
OCID = "ocds-h6vhtk-0c0de9"
LIGHT_TOUCH_REAL = "ocds-h6vhtk-06f19e"  # West Northamptonshire passenger transport, specialRegime lightTouch


def _text(response) -> str:
    """The page's words, without tags and with runs of white space as one space."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))).strip()


@pytest.fixture
def uk7_and_uk9(db):
    run = import_paths([UK7, UK9])
    assert run.added == 2
    assert run.flagged == 0
    return Process.objects.get(ocid=OCID)


@pytest.mark.django_db
def test_contract_page_shows_uk7_kpis_as_statutory_and_uk9_ratings_in_words(client, uk7_and_uk9):
    response = client.get(reverse("explore:contract", args=[OCID]))
    assert response.status_code == 200
    text = _text(response)
    promised = text[text.index("What was promised") : text.index("How it's going Official ratings")]
    assert "KPIs set under the Procurement Act 2023" in promised
    for kpi in ("Equipment delivered on time", "Urgent deliveries the same day", "Equipment collected when no"):
        assert kpi in promised
    assert "Standards the service must meet" not in promised  # the KPIs are not shown as co-designed targets
    going = text[text.index("How it's going Official ratings") : text.index("Interim reviews")]
    assert "Contract performance notice (UK9) published 22 April 2027, covering 1 April 2026 to 31 March 2027" in going
    assert "Equipment delivered on time Good" in going
    assert "Urgent deliveries the same day Approaching target" in going
    assert "Equipment collected when no longer needed Requires improvement" in going
    assert "What the official ratings mean" in going
    assert "Inadequate The provider was well below the KPI." in going
    assert "https://www.find-tender.service.gov.uk/Notice/038915-2027" in response.content.decode()
    assert 'href="#official-ratings">See the council\'s official ratings under the Procurement Act<' in html.unescape(
        response.content.decode()
    )


@pytest.mark.django_db
def test_official_ratings_never_count_as_co_designed_figures(client, uk7_and_uk9):
    process = uk7_and_uk9
    # The UK9 says "met" for one KPI: that is an official rating, not a co-designed target met.
    assert (process.signal, process.targets_measured, process.targets_met) == ("no-figures", 0, 0)
    assert not ContractMetric.objects.filter(process=process).exists()
    text = _text(client.get(reverse("explore:contract", args=[OCID])))
    assert "measures with a target met it" not in text
    assert "No co-designed figures are published for this contract" in text
    csv = client.get(reverse("explore:contract_performance_csv", args=[OCID])).content.decode()
    assert "Equipment delivered on time" not in csv


@pytest.mark.django_db
def test_history_names_each_notice_in_plain_english(client, uk7_and_uk9):
    text = _text(client.get(reverse("explore:contract", args=[OCID])))
    history = text[text.rindex("History") :]
    assert "Contract details notice (UK7) Contract signed: 1 document and 3 targets." in history
    assert "Contract performance notice (UK9) Figures for April 2026 to March 2027: 3 measures." in history


@pytest.mark.django_db
def test_uk9_performance_failure_is_told_in_words(client, uk7_and_uk9):
    text = _text(client.get(reverse("explore:contract", args=[OCID])))
    start = text.index("Interim reviews")
    failures = text[start : text.index("Who is involved", start)]
    assert "Collections were late for a quarter of requests" in failures
    assert "Provider responsible Example Community Equipment Ltd (made-up fixture)" in failures
    assert "Penalty £5,000.00 , as the contract sets out" in failures
    assert "Decided on 10 April 2027 that the provider had failed to put it right" in failures


@pytest.mark.django_db
def test_json_twin_carries_the_notices_kpis_and_official_ratings(client, uk7_and_uk9):
    story = client.get(reverse("explore:contract", args=[OCID]) + "?format=json").json()
    notices = [notice["code"] for entry in story["history"] for notice in entry["notices"]]
    assert notices == ["UK7", "UK9"]
    assert story["history"][0]["notices"][0]["name"] == "Contract details notice"
    assert [kpi["title"] for kpi in story["promises"]["targets"] if kpi["statutory"]] == [
        "Equipment delivered on time",
        "Urgent deliveries the same day",
        "Equipment collected when no longer needed",
    ]
    ratings = [(r["kpi_title"], r["rating"], r["period_end"]) for r in story["official_ratings"]]
    assert ratings[0] == ("Equipment delivered on time", "met", "2027-03-31")
    assert story["metrics"] == []


@pytest.mark.django_db
def test_easy_read_gives_the_latest_official_ratings_briefly(client, uk7_and_uk9):
    text = _text(client.get(reverse("explore:contract_easy_read", args=[OCID])))
    assert "the council must give the provider an official rating every year" in text
    assert "In April 2027 the council said: Equipment delivered on time: Good" in text


@pytest.mark.django_db
def test_easy_read_lists_the_kpis_set_under_the_procurement_act_as_what_the_council_checks(client, uk7_and_uk9):
    text = _text(client.get(reverse("explore:contract_easy_read", args=[OCID])))
    assert "No targets are published" not in text
    assert (
        "The council will check these things every year, as the law says: Equipment delivered on time "
        "Urgent deliveries the same day Equipment collected when no longer needed"
    ) in text


@pytest.mark.django_db
def test_light_touch_contract_says_why_no_kpi_notice_is_required(client, db):
    import_paths([FTS_REAL])
    text = _text(client.get(reverse("explore:contract", args=[LIGHT_TOUCH_REAL])))
    assert "This is a light-touch contract" in text
    assert "the law does not require the council to publish KPIs or yearly performance notices" in text
    assert "Contract details notice (UK7)" in text  # the real notice, named in the history


@pytest.mark.django_db
def test_a_release_posted_through_opencare_is_never_taken_for_a_notice(client, db):
    """Whatever its documents say, a release a publisher posts is not an official notice or rating."""
    package = json.loads(UK9.read_text())
    source = get_or_create_source(key="opencare:publisher:1", title="Posted by a publisher")
    store_release_package(package=package, source=source)
    story = client.get(reverse("explore:contract", args=[OCID]) + "?format=json").json()
    assert story["official_ratings"] == []
    assert story["history"][0]["notices"] == []


@pytest.mark.django_db
def test_provider_selection_regime_contract_says_why_no_kpi_notice_is_required(client, tmp_path):
    package = json.loads(UK7.read_text())
    release = package["releases"][0]
    del release["contracts"][0]["agreedMetrics"]
    release["tender"]["legalBasis"] = {"scheme": "UKSI", "id": "2023/1348", "description": "Provider Selection Regime"}
    (tmp_path / "psr.json").write_text(json.dumps(package))
    import_paths([tmp_path / "psr.json"])
    text = _text(client.get(reverse("explore:contract", args=[OCID])))
    assert "Why there are no official ratings" in text
    assert "arranged under the NHS Provider Selection Regime" in text
    assert "KPIs set under the Procurement Act 2023" not in text
