"""The Atom feed of new and updated processes, for a buyer, a supplier or a service (CPV)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from tests.builders.processes import WENDMOOR, stored_borsetdale

from opencare.registry.imports import import_paths
from opencare.registry.models import Process

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"


@pytest.fixture
def registry():
    import_paths([REALDATA / "cf-releases-2025-01-to-03.json"])


def entries(client, query: str = "") -> list[ElementTree.Element]:
    response = client.get(f"/feeds/processes.atom{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_feed_lists_the_latest_processes_with_links_to_their_pages(client, registry):
    found = entries(client)
    assert 0 < len(found) <= 50
    link = found[0].find(f"{ATOM}link").get("href")
    assert "/contracts/ocds-" in link


def test_the_feed_follows_a_buyer(client, registry):
    buyer = Process.objects.exclude(buyer_name="").values_list("buyer_name", flat=True).first()
    found = entries(client, f"?buyer={buyer}")
    assert found
    assert all(buyer in entry.find(f"{ATOM}summary").text for entry in found)


def test_the_feed_follows_a_service_by_cpv_and_social_care(client, registry):
    expected = {p.ocid for p in Process.objects.all() if any(c.startswith("853") for c in p.cpv_codes)}
    found = entries(client, "?cpv=853")
    assert {entry.find(f"{ATOM}id").text for entry in found} == expected
    assert len(entries(client, "?social_care=true")) == Process.objects.filter(is_social_care=True).count()


def test_odd_filters_give_an_empty_or_unfiltered_feed_not_an_error(client, registry):
    assert entries(client, "?buyer=%3Cscript%3E") == []
    assert entries(client, "?cpv=DROP%20TABLE")


def test_an_entry_says_how_the_contract_is_going_as_its_page_judges_it(client):
    stored_borsetdale(WENDMOOR)
    found = {entry.find(f"{ATOM}id").text: entry for entry in entries(client)}
    summary = found["ocds-bdemo1-hc-wendmoor"].find(f"{ATOM}summary").text
    # Pay at its agreed figure but below the Real Living Wage the terms promise is below target, as on the page.
    assert "Care worker pay per hour: £12.21" in summary
    below = summary.split("Below target in the last year of figures: ")[1]
    assert "Care worker pay per hour" in below
    assert "Missed visits" in below


def test_feed_entries_are_titled_by_contract_and_council_not_ocid(client):
    (process,) = stored_borsetdale(WENDMOOR)
    (entry,) = entries(client)
    assert entry.find(f"{ATOM}title").text == f"{process.title} — {process.buyer_name}"
    assert "ocds-" not in entry.find(f"{ATOM}title").text
    assert "Status: Under way" in entry.find(f"{ATOM}summary").text
