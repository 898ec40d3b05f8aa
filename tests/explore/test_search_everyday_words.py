"""On the demo site, the words people use find the contracts they mean, on the search page and in the API, in the
same order: measures ("care worker pay", "missed visits"), services ("domiciliary care"), places ("Dales") and
providers with or without "Ltd". The results say which measure matched."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.builders.processes import DALES, NORTH, SOUTH, WENDMOOR
from tests.builders.shared_data import shared_data
from tests.explore.test_one_search_and_json_twins import api_ocids, page_ocids

from opencare.demo.services import load_demo

pytestmark = pytest.mark.django_db

BORSETDALE_AND_WENDMOOR = {DALES, NORTH, SOUTH, WENDMOOR}
#: Real notices of the demo: Leicestershire's domiciliary care for children, North West London's intermediate care
#: beds (reablement) and Warwickshire's day opportunities.
LEICESTERSHIRE_DOMICILIARY = "ocds-b5fd17-fcf126d6-9a46-4410-93dc-0defcb3d9598"
NORTH_WEST_LONDON_INTERMEDIATE = "ocds-b5fd17-7b68a5a5-c7c6-4b6a-af57-25252442e31e"
WARWICKSHIRE_DAY = "ocds-b5fd17-0d7a6907-8595-4413-9a4e-746f8a1313a0"

#: Everyday words, the invented contracts each must find (and no other invented one), and real notices it must find.
EVERYDAY_WORDS = [
    ("pay", BORSETDALE_AND_WENDMOOR, set()),
    ("wages", BORSETDALE_AND_WENDMOOR, set()),
    ("care worker pay", BORSETDALE_AND_WENDMOOR, set()),
    ("late", BORSETDALE_AND_WENDMOOR, set()),
    ("on time", BORSETDALE_AND_WENDMOOR, set()),
    ("missed visits", BORSETDALE_AND_WENDMOOR, set()),
    ("same carers", BORSETDALE_AND_WENDMOOR, set()),
    ("familiar care workers", BORSETDALE_AND_WENDMOOR, set()),
    ("turnover", set(), set()),  # no demo contract measures care workers leaving
    ("staff leaving", set(), set()),
    ("home care", BORSETDALE_AND_WENDMOOR, {LEICESTERSHIRE_DOMICILIARY}),
    ("domiciliary care", BORSETDALE_AND_WENDMOOR, {LEICESTERSHIRE_DOMICILIARY}),
    ("care at home", BORSETDALE_AND_WENDMOOR, {LEICESTERSHIRE_DOMICILIARY}),
    ("homecare", BORSETDALE_AND_WENDMOOR, {LEICESTERSHIRE_DOMICILIARY}),
    ("reablement", {DALES}, {NORTH_WEST_LONDON_INTERMEDIATE}),
    ("day services", set(), {WARWICKSHIRE_DAY}),
    ("Dales", {DALES}, set()),
    ("Wendmoor", {WENDMOOR}, set()),
    ("missed visits in Wendmoor", {WENDMOOR}, set()),
    ("Fellside Support", {DALES}, set()),
    ("Kestrel Homecare Limited", {WENDMOOR}, set()),
    ("brightwater home care ltd", {SOUTH}, set()),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo site, loaded once for the module; each test's own changes are rolled back after it."""
    with shared_data(django_db_blocker, load_demo):
        yield


@pytest.mark.parametrize(("words", "invented", "real"), EVERYDAY_WORDS)
def test_everyday_words_find_the_demo_contracts_they_mean_on_the_page_and_in_the_api(
    client, settings, demo, words, invented, real
):
    page = page_ocids(client, {"q": words, "all": "1"})
    assert page == api_ocids(client, settings, f"q={words}")
    assert {ocid for ocid in page if ocid.startswith("ocds-bdemo1-")} == invented
    assert real <= set(page)


def test_words_that_mean_nothing_find_nothing_on_the_page_or_in_the_api(client, settings, demo):
    assert page_ocids(client, {"q": "zzyzx wibble", "all": "1"}) == []
    assert api_ocids(client, settings, "q=zzyzx wibble") == []


def test_the_results_say_which_measure_matched_and_the_twin_holds_it(client, demo):
    html = client.get(reverse("explore:contracts"), {"q": "care worker pay"}).content.decode()
    assert "Matches measure" in html
    assert "Care worker pay per hour" in html
    data = client.get(reverse("explore:contracts"), {"q": "care worker pay", "format": "json"}).json()
    invented = [result for result in data["results"] if result["is_invented"]]
    assert invented
    for result in invented:
        assert result["matched_measures"] == ["Care worker pay per hour"]


def test_a_search_by_place_says_no_measure_matched(client, demo):
    html = client.get(reverse("explore:contracts"), {"q": "Wendmoor"}).content.decode()
    assert "Home care in Wendmoor" in html
    assert "Matches measure" not in html
