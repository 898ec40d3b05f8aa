"""Pages judge pay against every promise: the contract page says which promise a figure missed and where a method
statement contradicts the terms; search and compare agree with it; the data standard page lists the rates."""

from __future__ import annotations

import csv
import html as html_text
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from tests.builders.processes import SOUTH, WENDMOOR, stored_borsetdale

from opencare.ocds.reference_rates import reference_rates
from opencare.registry.models import ContractMetric, Process
from opencare.registry.services import get_or_create_source, store_release_package

Y24, Y25 = "2024\N{EN DASH}25", "2025\N{EN DASH}26"
HOUR = {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"}


def _page(client, name: str, *args: str) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return html_text.unescape(response.content.decode())


@pytest.mark.django_db
def test_wendmoor_contract_page_says_its_pay_is_below_the_promised_real_living_wage_and_why(client):
    stored_borsetdale(WENDMOOR)
    page = _page(client, "explore:contract", WENDMOOR)
    assert f"£11.44 is below the Real Living Wage for {Y24}, £12.00, which the contract terms promise." in page
    assert f"£12.21 is below the Real Living Wage for {Y25}, £12.60, which the contract terms promise." in page
    assert (
        "Kestrel Homecare Ltd (invented) met the target, every wage the contract promises and the legal minimum in "
        "0 of 2 periods."
    ) in page
    assert "met the target in 2 of 2 periods" not in page
    assert "Care worker pay per hour" in page.split("Missed:")[1].split("</strong>")[0]


@pytest.mark.django_db
def test_contract_page_says_when_the_method_statement_contradicts_the_contract_terms(client):
    stored_borsetdale(WENDMOOR, SOUTH)
    page = _page(client, "explore:contract", WENDMOOR)
    assert (
        "Kestrel Homecare Ltd (invented)'s method statement promises the National Living Wage for contact time "
        "only, but the contract terms promise the Real Living Wage for all working time."
    ) in page
    south = _page(client, "explore:contract", "ocds-bdemo1-hc-south")
    assert "method statement promises the" not in south  # it repeats the terms' promise


@pytest.mark.django_db
def test_contract_page_marks_a_price_below_the_homecare_association_minimum_as_a_benchmark_not_a_verdict(client):
    stored_borsetdale(WENDMOOR)
    page = _page(client, "explore:contract", WENDMOOR)
    assert (
        f"£21.90 is below the Homecare Association's minimum price for {Y24} of £28.53 — a benchmark, not a legal "
        "minimum."
    ) in page


def _release_with_pay_at_its_target_but_below_the_promised_wage() -> dict:
    year = {"startDate": "2024-04-01T00:00:00Z", "endDate": "2025-03-31T23:59:59Z"}
    pay = {"id": "sc-worker-pay-per-hour", "observations": [
        {"id": "p", "period": year, "value": {"amount": 11.44, "currency": "GBP"}, "unit": HOUR}]}  # fmt: skip
    return {
        "ocid": "ocds-pay-1", "id": "r1", "date": "2025-04-10T00:00:00Z", "tag": ["contract", "implementation"],
        "initiationType": "tender", "buyer": {"id": "B", "name": "Testshire Council"},
        "tender": {"id": "t", "title": "Home care in Testshire", "classification": {"scheme": "CPV", "id": "85312400"},
                   "contractTerms": {"socialStandards": "At least the Real Living Wage for all working time."}},
        "awards": [{"id": "a", "suppliers": [{"id": "S", "name": "Carers Ltd"}], "agreedMetrics": [pay]}],
        "contracts": [{"id": "c", "awardID": "a", "implementation": {"metrics": [pay]}}],
    }  # fmt: skip


@pytest.mark.django_db
def test_search_compare_and_the_contract_page_agree_that_pay_at_its_target_but_below_the_promise_is_below(client):
    source = get_or_create_source(key="test:pay", title="Pay")
    store_release_package(package={"releases": [_release_with_pay_at_its_target_but_below_the_promised_wage()]},
                          source=source)  # fmt: skip
    process = Process.objects.get(ocid="ocds-pay-1")
    assert (process.signal, process.targets_below) == ("below", ["Care worker pay per hour"])
    row = ContractMetric.objects.get(process=process, metric_id="sc-worker-pay-per-hour")
    assert (row.latest_classification, row.periods_met, row.periods_below) == ("below", 0, 1)
    search = reverse("explore:contracts")
    assert "Home care in Testshire" in client.get(search, {"signal": "below"}).content.decode()
    assert "Home care in Testshire" not in client.get(search, {"signal": "meeting"}).content.decode()
    page = _page(client, "explore:contract", "ocds-pay-1")
    assert f"£11.44 is below the Real Living Wage for {Y24}, £12.00, which the contract terms promise." in page


@pytest.mark.django_db
def test_data_standard_page_lists_every_reference_rate_with_its_source_and_date(client):
    page = _page(client, "standard:index")
    assert "Reference rates for pay and price" in page
    assert reference_rates().series
    for series in reference_rates().series:
        assert f'id="rates-{series.id}"' in page
        assert series.rates, series.id
        for rate in series.rates:
            assert f"£{rate.amount}" in page
            assert rate.url in page
    assert "Homecare Association: Minimum Price for Homecare 2025-26" in page
    assert "14 December 2023" in page  # when the 2024-25 minimum price was published
    download = client.get(reverse("standard:reference_rates_json"))
    assert download.status_code == 200
    assert b'"national-living-wage"' in download.content


@pytest.mark.django_db
def test_performance_csv_says_why_a_figure_is_below_and_which_prices_are_below_the_benchmark(client):
    stored_borsetdale(WENDMOOR)
    response = client.get(reverse("explore:contract_performance_csv", args=[WENDMOOR]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    pay = [row for row in rows if row["metric_id"] == "sc-worker-pay-per-hour"]
    assert [row["classification"] for row in pay] == ["Below", "Below"]
    assert (
        pay[0]["why"] == f"£11.44 is below the Real Living Wage for {Y24}, £12.00, which the contract terms promise."
    )
    prices = [row for row in rows if row["metric_id"] == "sc-price-per-hour"]
    assert all("a benchmark, not a legal minimum" in row["why"] for row in prices)


@pytest.mark.django_db
def test_the_migration_judges_pay_stored_before_against_every_promise():
    migration = importlib.import_module("opencare.registry.migrations.0012_judge_pay_against_every_promise")
    source = get_or_create_source(key="test:pay", title="Pay")
    store_release_package(package={"releases": [_release_with_pay_at_its_target_but_below_the_promised_wage()]},
                          source=source)  # fmt: skip
    # As a database made before pay was judged against its promises holds it: met, from its target alone.
    Process.objects.filter(ocid="ocds-pay-1").update(signal="meeting", targets_met=1, targets_below=[])
    ContractMetric.objects.filter(process__ocid="ocds-pay-1").update(latest_classification="met", periods_below=0)
    migration.judge_pay_again(apps, None)
    process = Process.objects.get(ocid="ocds-pay-1")
    assert (process.signal, process.targets_below) == ("below", ["Care worker pay per hour"])
    row = ContractMetric.objects.get(process=process, metric_id="sc-worker-pay-per-hour")
    assert (row.latest_classification, row.periods_below) == ("below", 1)


@pytest.mark.django_db
def test_easy_read_says_in_short_sentences_that_pay_is_less_than_the_contract_promises(client):
    stored_borsetdale(WENDMOOR, SOUTH)
    page = _page(client, "explore:contract_easy_read", WENDMOOR)
    assert (
        "That is less than the contract promises. It promises the Real Living Wage, which is £12.60 an hour." in page
    )
    south = _page(client, "explore:contract_easy_read", "ocds-bdemo1-hc-south")
    assert "That is less than" not in south


@pytest.mark.django_db
def test_the_prices_table_names_a_monthly_figure_s_month_and_an_agreed_figure_s_years(client):
    release = _release_with_pay_at_its_target_but_below_the_promised_wage()
    october = {"startDate": "2024-10-01T00:00:00Z", "endDate": "2024-10-31T23:59:59Z"}
    monthly = {"id": "m", "period": october, "value": {"amount": 11.80, "currency": "GBP"}, "unit": HOUR}
    release["contracts"][0]["implementation"]["metrics"] = [
        {"id": "sc-worker-pay-per-hour", "observations": [monthly]}
    ]
    source = get_or_create_source(key="test:pay", title="Pay")
    store_release_package(package={"releases": [release]}, source=source)
    page = _page(client, "explore:contract", "ocds-pay-1")
    prices = page.split('aria-label="Prices and pay agreed"')[1].split("</table>")[0]
    assert f'£11.44 <span class="govuk-body-s">({Y24})</span>' in prices  # agreed for the contract year
    assert '£11.80 <span class="govuk-body-s">(October 2024)</span>' in prices  # the latest month's figure
    assert "2024\N{EN DASH}24" not in prices
