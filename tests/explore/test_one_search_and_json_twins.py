"""Pages and the API use one search: the same words give the same contracts in the same order on /contracts/ and
/api/records. The search, contract and comparison pages have JSON twins (?format=json) that hold what the page
shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from tests.builders.shared_data import shared_data

from opencare.demo.services import load_demo
from opencare.registry.models import Process

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="/contracts/([^/"]+)/">')
COUNT = re.compile(r'data-count="results">(\d+) contracts? found')
QUERIES = ["care", "home care", "Borsetdale", "support living", "council", "Brightwater", "no such words anywhere"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo site, loaded once for the module; each test's own changes are rolled back after it."""
    with shared_data(django_db_blocker, load_demo):
        yield


def page_ocids(client, parameters: dict[str, str]) -> list[str]:
    """Every result of a search, in order, page after page, as the HTML pages list them."""
    ocids: list[str] = []
    number = 1
    while True:
        html = client.get(reverse("explore:contracts"), {**parameters, "page": number}).content.decode()
        found = RESULT_LINK.findall(html)
        ocids += found
        if 'rel="next"' not in html:
            return ocids
        number += 1


def api_ocids(client, settings, query: str) -> list[str]:
    """Every record the API gives for a query, page after page of `limit` 4 (so the cursor is followed often)."""
    ocids: list[str] = []
    url = f"/api/records?limit=4&{query}"
    while url:
        package = client.get(url).json()
        ocids += [record["ocid"] for record in package["records"]]
        url = package.get("links", {}).get("next", "").replace(settings.OPENCARE_SITE_URL, "")
    return ocids


@pytest.mark.parametrize("words", QUERIES)
def test_the_same_words_give_the_same_contracts_in_the_same_order_on_the_page_and_in_the_api(
    client, settings, demo, words
):
    everything = page_ocids(client, {"q": words, "all": "1"})
    assert everything == api_ocids(client, settings, f"q={words}")
    social_care = page_ocids(client, {"q": words})
    assert social_care == api_ocids(client, settings, f"q={words}&social_care=true")
    if words != "no such words anywhere":
        assert everything


def test_the_api_search_matches_providers_as_the_page_does(client, settings, demo):
    """The API once matched words in the title, description and buyer only: a provider's name found nothing."""
    assert api_ocids(client, settings, "q=Brightwater") == page_ocids(client, {"q": "Brightwater"}) != []


def test_an_api_search_page_after_a_process_with_no_date_continues_in_order(client, settings, demo):
    Process.objects.filter(ocid__in=Process.objects.order_by("ocid").values("ocid")[:3]).update(last_release_date=None)
    assert api_ocids(client, settings, "q=care") == page_ocids(client, {"q": "care", "all": "1"})


@pytest.mark.parametrize("parameters", [{}, {"q": "care"}, {"q": "home care", "all": "1"}, {"signal": "below"},
                                        {"all": "1", "page": "2"}])  # fmt: skip
def test_the_search_twin_holds_the_contracts_and_count_the_page_shows(client, demo, parameters):
    html = client.get(reverse("explore:contracts"), parameters).content.decode()
    twin = client.get(reverse("explore:contracts"), {**parameters, "format": "json"})
    assert twin["Content-Type"] == "application/json"
    data = twin.json()
    assert [result["ocid"] for result in data["results"]] == RESULT_LINK.findall(html)
    assert str(data["count"]) == COUNT.search(html).group(1)
    assert data["page"] == int(parameters.get("page", 1))
    assert data["search"]["q"] == parameters.get("q", "")
    facet_counts = {item["value"]: item["count"] for item in data["facets"]["service_types"]}
    for value, count in facet_counts.items():
        assert f"service_type={value}" in html
        assert f"({count})" in html


def test_a_bad_search_twin_is_a_400_in_json_naming_the_field(client, demo):
    answer = client.get(reverse("explore:contracts"), {"running_from": "yesterday", "format": "json"})
    assert answer.status_code == 400
    assert "running_from" in answer.json()["errors"]


def test_the_contract_twin_holds_what_the_contract_page_shows(client, demo):
    process = Process.objects.filter(is_invented=True, metric_ids__isnull=False).exclude(metric_ids=[]).first()
    url = reverse("explore:contract", args=[process.ocid])
    html = client.get(url).content.decode()
    data = client.get(url, {"format": "json"}).json()
    assert data["process"]["ocid"] == process.ocid
    assert data["process"]["title"] == process.title
    assert data["metrics"]
    for group in data["metrics"]:
        assert group["title"] in html
    assert data["involved"]
    for entry in data["involved"]:
        assert entry["name"] in html
    assert len(data["history"]) == process.release_count
    assert client.get(reverse("explore:contract", args=["ocds-none"]), {"format": "json"}).status_code == 404


def test_the_comparison_twin_holds_the_rows_and_columns_the_page_shows(client, demo):
    ocids = list(
        Process.objects.filter(is_invented=True).exclude(metric_ids=[]).order_by("ocid").values_list("ocid", flat=True)
    )[:3]
    html = client.get(reverse("explore:compare"), {"ocid": ocids}).content.decode()
    data = client.get(reverse("explore:compare"), {"ocid": ocids, "format": "json"}).json()
    assert sorted({row["process"]["ocid"] for row in data["rows"]}) == sorted(ocids)  # a row per contract
    for row in data["rows"]:
        assert f'href="/contracts/{row["process"]["ocid"]}/"' in html
    assert data["columns"]
    for column in data["columns"]:
        assert column["title"] in html
    assert data["missing"] == []
    blank = client.get(reverse("explore:compare"), {"format": "json"})
    assert blank.status_code == 400
    assert client.get(reverse("explore:compare"), {"ocid": ["x-1", "x-2"], "format": "json"}).status_code == 404


@pytest.mark.django_db
def test_a_twin_never_gives_the_fields_of_a_row_that_is_not_public():
    from django.contrib.auth import get_user_model

    from opencare.explore.json_twins import as_data

    person = get_user_model().objects.create_user("someone", "someone@example.org", "a long secret password")
    data = as_data({"who": person})
    assert data == {"who": "someone"}
    assert "password" not in str(data)
    assert "someone@example.org" not in str(data)
