"""Search, contract, easy read, organisation, compare and glossary pages: content, bad input, query counts."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.builders.processes import stored_processes
from tests.builders.shared_data import shared_data

from opencare.demo.services import load_demo
from opencare.registry.models import ContractMetric, Organisation, Process
from opencare.registry.services import get_or_create_source, store_release_package

SOUTH = "ocds-bdemo1-hc-south"
NORTH = "ocds-bdemo1-hc-north"
DALES = "ocds-bdemo1-hc-dales"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo site, loaded once for the module; each test's own changes are rolled back after it."""
    with shared_data(django_db_blocker, load_demo):
        yield


def _add_processes(count: int, start: int = 0) -> None:
    """Extra social-care processes, to show a page's query count does not grow with the data."""
    stored_processes(count, start=start)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


# --- Search ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_a_provider_by_word_on_this_database(client, demo):
    html = client.get(reverse("explore:contracts"), {"q": "Brightwater"}).content.decode()
    assert "1 contract found" in html
    assert "Home care in South Borsetdale" in html
    assert "Home care in North Borsetdale" not in html


@pytest.mark.django_db
def test_search_by_council_provider_service_and_signal_narrows_the_results(client, demo):
    url = reverse("explore:contracts")
    assert "3 contracts found" in client.get(url, {"buyer": "Borsetdale"}).content.decode()
    assert "1 contract found" in client.get(url, {"supplier": "Moorside"}).content.decode()
    below = client.get(url, {"service_type": "home-care", "signal": "below"}).content.decode()
    assert "Home care in South Borsetdale" in below
    assert "Home care in North Borsetdale" not in below


@pytest.mark.django_db
def test_search_facets_count_the_results_and_link_to_the_filter(client, demo):
    html = client.get(reverse("explore:contracts")).content.decode()
    home_care = Process.objects.filter(is_social_care=True, service_type="home-care").count()
    assert f'service_type=home-care">Home care</a> <span class="opencare-numeric">({home_care})' in html
    assert "Below target</a>" in html
    assert "Meeting targets</a>" in html


@pytest.mark.django_db
def test_search_leaves_out_processes_that_are_not_social_care_unless_asked(client, demo):
    url = reverse("explore:contracts")
    source = get_or_create_source(key="test:other", title="Other notices")
    stationery = {
        "ocid": "ocds-other-1", "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"],
        "initiationType": "tender", "tender": {"id": "t", "title": "Office stationery",
                                               "classification": {"scheme": "CPV", "id": "30192000"}},
    }  # fmt: skip
    store_release_package(package={"releases": [stationery]}, source=source)
    social = Process.objects.filter(is_social_care=True).count()
    everything = Process.objects.count()
    assert social < everything
    assert f"{social} contracts found" in client.get(url).content.decode()
    assert f"{everything} contracts found" in client.get(url, {"all": "1"}).content.decode()


@pytest.mark.django_db
def test_search_by_dates_keeps_contracts_running_in_the_period(client, demo):
    url = reverse("explore:contracts")
    html = client.get(url, {"running_from": "2024-06-01", "running_to": "2024-07-01", "buyer": "Borsetdale"})
    assert "3 contracts found" in html.content.decode()
    assert "0 contracts found" in client.get(url, {"running_to": "2020-01-01", "buyer": "Borsetdale"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"running_from": "next week"}, "Enter the date as year-month-day"),
        ({"running_from": "2025-02-01", "running_to": "2025-01-01"}, "The second date must be the same as or after"),
        ({"service_type": "<script>"}, "Select a valid choice"),
    ],
)
def test_bad_search_input_is_a_400_that_says_what_to_fix(client, db, parameters, message):
    response = client.get(reverse("explore:contracts"), parameters)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<script>" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_search_page_makes_the_same_number_of_queries_whatever_the_registry_holds(client, db):
    _add_processes(3)
    few = _queries(client, reverse("explore:contracts") + "?q=care")
    _add_processes(60, start=3)
    assert _queries(client, reverse("explore:contracts") + "?q=care") == few


# --- Contract page ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contract_page_shows_what_was_promised_with_page_references(client, demo):
    html = client.get(reverse("explore:contract", args=[SOUTH])).content.decode()
    assert "What was promised" in html
    assert "What the provider promised in its method statement" in html
    assert "Method statement, pages" in html
    assert "Pay and working conditions" in html  # contract terms
    assert "Options to extend" in html


@pytest.mark.django_db
def test_contract_page_shows_missed_targets_charts_tables_and_the_failure(client, demo):
    html = client.get(reverse("explore:contract", args=[SOUTH])).content.decode()
    assert "How it's going" in html
    assert "Missed: <strong>Missed visits, Visits on time</strong>" in html
    assert reverse("explore:contract_chart", args=[SOUTH, "sc-missed-visits"]) in html
    assert "govuk-tag--red" in html
    assert ">Below<" in html.replace("Below the", "")
    assert "Missed and late visits, January 2025" in html  # the performance failure
    assert "Interim reviews" in html
    assert "Quarterly contract review" in html


@pytest.mark.django_db
def test_contract_page_history_says_what_each_release_changed(client, demo):
    html = client.get(reverse("explore:contract", args=[SOUTH])).content.decode()
    assert "Tender published: " in html
    assert "Contract awarded to " in html
    assert "Monthly figures for March 2025: 4 measures." in html
    assert "Performance: " not in html


@pytest.mark.django_db
def test_contract_page_makes_the_same_number_of_queries_whatever_the_registry_holds(client, demo):
    few = _queries(client, reverse("explore:contract", args=[SOUTH]))
    _add_processes(40)
    assert _queries(client, reverse("explore:contract", args=[SOUTH])) == few


@pytest.mark.django_db
def test_contract_chart_is_an_svg_with_a_title_and_unknown_measures_are_404(client, demo):
    response = client.get(reverse("explore:contract_chart", args=[SOUTH, "sc-missed-visits"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")
    assert b"Missed visits" in response.content
    assert client.get(reverse("explore:contract_chart", args=[SOUTH, "sc-nothing"])).status_code == 404
    assert client.get(reverse("explore:contract_chart", args=["ocds-none", "sc-missed-visits"])).status_code == 404


@pytest.mark.django_db
def test_performance_csv_has_one_row_per_figure_with_the_classification(client, demo):
    response = client.get(reverse("explore:contract_performance_csv", args=[SOUTH]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    missed = [row for row in rows if row["metric_id"] == "sc-missed-visits"]
    assert len(missed) == 24
    assert {row["classification"] for row in missed} >= {"Met", "Below"}
    assert missed[0]["provider"] == "Brightwater Home Care Ltd (invented)"


@pytest.mark.django_db
def test_easy_read_gives_short_sentences_with_the_key_numbers(client, demo):
    html = client.get(reverse("explore:contract_easy_read", args=[SOUTH])).content.decode()
    assert "This is not a real contract" in html
    assert "Borsetdale Council (invented sample) pays for this care." in html
    process = Process.objects.get(ocid=SOUTH)
    assert f"The council pays £{process.price_per_hour} for each hour of care." in html
    assert f"The council checks {process.targets_measured} things about this care." in html
    assert f"always did well enough on {process.targets_met} of them." in html
    assert "It did not always do well enough on:" in html
    assert "Missed visits" in html


@pytest.mark.django_db
def test_published_text_is_escaped_and_only_web_addresses_are_links(client, db):
    source = get_or_create_source(key="test:hostile", title="Hostile")
    release = {
        "ocid": "ocds-hostile-1", "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"],
        "initiationType": "tender", "tender": {
            "id": "t", "title": "<script>alert(1)</script> Home care",
            "documents": [{"id": "d", "title": "Spec", "url": "javascript:alert(1)"}],
        },
    }  # fmt: skip
    store_release_package(package={"releases": [release]}, source=source)
    html = client.get(reverse("explore:contract", args=["ocds-hostile-1"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:alert" not in html


# --- Organisations ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_council_page_shows_spend_by_service_prices_and_how_its_contracts_go(client, demo):
    council = Organisation.objects.get(name="Borsetdale Council (invented sample)")
    html = client.get(reverse("explore:organisation", args=[council.pk])).content.decode()
    assert "What it commissions" in html
    assert "Home care" in html
    assert "Price per hour across its contracts" in html
    assert "£" in html
    assert "Below target:" in html


@pytest.mark.django_db
def test_provider_page_shows_its_figures_against_targets_and_contracts(client, demo):
    provider = Organisation.objects.get(name="Brightwater Home Care Ltd (invented)")
    html = client.get(reverse("explore:organisation", args=[provider.pk])).content.decode()
    assert "What it provides" in html
    assert "Missed visits" in html
    assert "below" in html
    assert "Home care in South Borsetdale" in html


@pytest.mark.django_db
def test_organisation_pages_404_for_unknown_and_list_searches_by_name(client, demo):
    assert client.get(reverse("explore:organisation", args=[999999])).status_code == 404
    html = client.get(reverse("explore:organisations"), {"q": "Moorside"}).content.decode()
    assert "Moorside Care Co-operative (invented)" in html
    assert "1 organisation" in html


# --- Compare ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_compare_puts_each_contract_side_by_side_with_benchmarks_and_the_spread(client, demo):
    response = client.get(reverse("explore:compare"), {"ocid": [SOUTH, NORTH, DALES]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 contracts, each with their latest figures." in html  # the dales process has two lots
    assert "NHS Borsetdale Integrated Care Board (invented)" in html
    assert "Homecare Association Minimum Price for Homecare" in html
    assert "All 5 contracts in the register" in html  # Wendmoor's contract too
    assert "below target</strong>" in html  # missed periods, in red
    assert "Share of the hourly rate that reaches care workers" in html


@pytest.mark.django_db
def test_compare_by_service_type_includes_every_contract_of_that_service_across_councils(client, demo):
    html = client.get(reverse("explore:compare"), {"service_type": "home-care"}).content.decode()
    for title in ("Home care in South Borsetdale", "Home care in North Borsetdale", "Home care in Wendmoor"):
        assert title in html
    assert "Kestrel Homecare Ltd (invented) for Wendmoor Council (invented sample)" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "status", "message"),
    [
        ({"ocid": [SOUTH]}, 400, "Choose at least 2 contracts"),
        ({"ocid": [f"ocds-x-{n}" for n in range(11)]}, 400, "Choose at most 10 contracts"),
        ({"ocid": [SOUTH, NORTH], "service_type": "home-care"}, 400, "not both"),
        ({"ocid": ["ocds-none-1", "ocds-none-2"]}, 404, "These contracts are not in the register"),
    ],
)
def test_bad_comparisons_say_what_to_fix(client, demo, parameters, status, message):
    response = client.get(reverse("explore:compare"), parameters)
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.django_db
def test_comparison_csv_has_every_contract_and_metric_with_the_spread(client, demo):
    response = client.get(reverse("explore:compare_csv"), {"ocid": [SOUTH, NORTH]})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="opencare-comparison.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    prices = {row["ocid"]: row for row in rows if row["metric_id"] == "sc-price-per-hour"}
    assert set(prices) == {SOUTH, NORTH}
    assert Decimal(prices[SOUTH]["figure"]) == (
        ContractMetric.objects.get(process__ocid=SOUTH, metric_id="sc-price-per-hour").latest_amount
    )
    assert prices[SOUTH]["all_contracts_count"] == "5"
    shares = [row for row in rows if row["metric_id"] == "sc-share-of-rate-to-workers"]
    assert len(shares) == 2
    assert all(row["worked_out_by_opencare"] == "True" for row in shares)
    figures = [row[key] for row in rows for key in ("figure", "target", "all_contracts_average") if row[key]]
    assert figures
    # Figures as people write them: no run of trailing zeros from the database's averages, no exponent.
    assert not [figure for figure in figures if re.search(r"\.\d*0$|[eE]", figure)]
    assert client.get(reverse("explore:compare_csv")).status_code == 400
    one = client.get(reverse("explore:compare_csv"), {"ocid": [SOUTH]})
    assert one.status_code == 400
    assert "Choose at least 2 contracts to compare" in one.content.decode()
    unknown = client.get(reverse("explore:compare_csv"), {"ocid": ["ocds-none-1", "ocds-none-2"]})
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_comparison_chart_is_an_svg_and_an_unknown_measure_is_404(client, demo):
    url = reverse("explore:compare_chart", args=["sc-price-per-hour"])
    response = client.get(url, {"ocid": [SOUTH, NORTH]})
    assert response.status_code == 200
    assert response.content.startswith(b"<svg")
    assert b"Homecare Association" in response.content
    missing = client.get(reverse("explore:compare_chart", args=["sc-nothing"]), {"ocid": [SOUTH, NORTH]})
    assert missing.status_code == 404


@pytest.mark.django_db
def test_compare_page_makes_the_same_number_of_queries_whatever_the_registry_holds(client, demo):
    url = reverse("explore:compare") + f"?ocid={SOUTH}&ocid={NORTH}"
    few = _queries(client, url)
    _add_processes(40)
    assert _queries(client, url) == few


# --- Glossary --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_glossary_explains_the_words_and_every_catalogue_measure(client, db):
    html = client.get(reverse("explore:glossary")).content.decode()
    assert "Method statement" in html
    assert "OCID" in html
    assert "Real Living Wage" in html
    assert 'id="sc-missed-visits"' in html


@pytest.mark.django_db
def test_organisation_page_makes_the_same_number_of_queries_whatever_the_registry_holds(client, demo):
    council = Organisation.objects.get(name="Borsetdale Council (invented sample)")
    url = reverse("explore:organisation", args=[council.pk])
    few = _queries(client, url)
    _add_processes(40)
    assert _queries(client, url) == few


@pytest.mark.django_db
def test_pages_are_kept_until_new_data_arrives(client, demo, settings):
    from django.core.cache import cache

    from opencare.registry import selectors

    settings.OPENCARE_PAGE_CACHE_SECONDS = 60
    cache.clear()
    selectors.forget_registry_version()
    url = reverse("explore:contract", args=[SOUTH])
    first = client.get(url)
    Process.objects.filter(ocid=SOUTH).update(title="changed behind the cache's back")
    assert _queries(client, url) <= 1  # at most the registry's version (read once a second); no rendering
    assert client.get(url).content == first.content
    _add_processes(1)
    selectors.forget_registry_version()  # a second later, the version is read again
    assert "changed behind the cache" in client.get(url).content.decode()
