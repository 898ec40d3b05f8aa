"""Three people's journeys through the public pages, end to end in a browser, with screenshots of each step.

The screenshots (test-artifacts/screenshots/journey-*.png) let a person check the pages by eye.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opencare.demo.services import load_demo

from .test_accessibility import _wait_for_images

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
BORSETDALE = {
    "ocds-bdemo1-hc-north": "Home care in North Borsetdale",
    "ocds-bdemo1-hc-south": "Home care in South Borsetdale",
    "ocds-bdemo1-hc-dales": "Home care and reablement in the Borsetdale Dales (rural)",
}
COMPARISON_HEADER = [
    "ocid", "contract_id", "contract", "buyer", "provider", "service_type", "metric_id", "metric", "figure",
    "unit", "currency", "target", "latest_classification", "periods_met", "periods_below",
    "worked_out_by_opencare", "all_contracts_count", "all_contracts_lowest", "all_contracts_average",
    "all_contracts_highest",
]  # fmt: skip


def _screenshot(page: Page, name: str) -> None:
    """A full-page screenshot, after the lazy chart images have loaded."""
    _wait_for_images(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"journey-{name}.png", full_page=True)


def _compare_the_borsetdale_contracts(page: Page, base_url: str) -> None:
    """Tick the three Borsetdale home care contracts on the search results and compare them."""
    page.goto(base_url + "/contracts/?service_type=home-care")
    for title in BORSETDALE.values():
        page.get_by_role("checkbox", name=f"Compare {title}", exact=True).check()
    page.get_by_role("button", name="Compare the contracts you ticked").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare contracts")


@pytest.mark.django_db(transaction=True)
def test_a_person_getting_care_finds_their_providers_contract_its_promises_and_its_missed_targets(
    live_server, page: Page
):
    load_demo()
    page.goto(live_server.url + "/")
    _screenshot(page, "person-1-home")
    page.get_by_role("textbox", name="Find a care contract").fill("Brightwater")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a care contract")
    expect(page.locator("[data-count=results]")).to_contain_text("found")
    _screenshot(page, "person-2-search")

    page.get_by_role("link", name="Home care in South Borsetdale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home care in South Borsetdale")
    expect(page.get_by_role("heading", name="What the provider promised in its method statement")).to_be_visible()
    commitments = page.locator("#promised ~ ul.govuk-list--bullet li")
    expect(commitments.first).to_be_visible()
    expect(commitments.first).to_contain_text("Brightwater Home Care Ltd (invented)")
    expect(commitments.first.get_by_role("link", name="Method statement, pages")).to_be_visible()

    going = page.locator("#going + p")
    expect(going).to_contain_text("Missed:")
    expect(going.locator("strong")).to_contain_text("Missed visits")
    missed = page.locator("section", has=page.get_by_role("heading", name="Missed visits", level=3))
    figures = missed.locator("details").first
    expect(figures).to_have_attribute("open", "")  # opened because a period is below target
    expect(figures.locator("table .govuk-tag", has_text="Below").first).to_be_visible()
    _screenshot(page, "person-3-contract")

    page.get_by_role("link", name="Read this contract in easy read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Easy read: Home care in South Borsetdale")
    expect(page.get_by_text("It did not always do well enough on:")).to_be_visible()
    expect(page.locator(".opencare-easy-read li", has_text=re.compile(r"^Missed visits$"))).to_be_visible()
    expect(page.locator(".opencare-easy-read li", has_text="Missed visits: no more than 2 in 100.")).to_be_visible()
    _screenshot(page, "person-4-easy-read")


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_compares_price_and_missed_visits_of_ticked_contracts_against_a_benchmark(
    live_server, page: Page
):
    load_demo()
    _compare_the_borsetdale_contracts(page, live_server.url)
    # The Dales contract has two lots, one bought by the council and one by the NHS: four contracts in all.
    expect(page.get_by_text("4 contracts, each with their latest figures.")).to_be_visible()
    sides = [
        ("Moorside Care Co-operative (invented)", "Borsetdale Council (invented sample)"),
        ("Brightwater Home Care Ltd (invented)", "Borsetdale Council (invented sample)"),
        ("Fellside Support CIC (invented)", "Borsetdale Council (invented sample)"),
        ("Fellside Support CIC (invented)", "NHS Borsetdale Integrated Care Board (invented)"),
    ]
    overview = page.locator("#overview")
    expect(overview.locator("thead th", has_text="Price per hour")).to_be_visible()
    expect(overview.locator("thead th", has_text="Missed visits")).to_be_visible()
    expect(overview.locator("tbody tr")).to_have_count(len(sides))

    price = page.locator("section", has=page.get_by_role("heading", name="Price per hour", level=2))
    missed = page.locator("section", has=page.get_by_role("heading", name="Missed visits", level=2))
    for provider, buyer in sides:
        for measure in (price, missed):
            row = measure.locator("tbody tr", has=page.get_by_role("rowheader", name=f"{provider} for {buyer}"))
            expect(row).to_have_count(1)
            expect(row.locator("td").first).to_have_text(re.compile(r"^(£\d+\.\d\d|\d+(\.\d+)?%)$"))
    expect(price.locator("dt", has_text="Homecare Association Minimum Price")).to_be_visible()
    brightwater = missed.locator("tbody tr", has_text="Brightwater")
    expect(brightwater.locator(".govuk-tag")).to_have_text(re.compile(r"^\d+ below target$"))

    _wait_for_images(page)
    charts = page.locator("img.opencare-chart")
    assert charts.count() >= 2
    for chart in charts.all():
        assert chart.evaluate("image => image.naturalWidth") > 0, chart.get_attribute("src")
    _screenshot(page, "commissioner-compare")


@pytest.mark.django_db(transaction=True)
def test_a_researcher_downloads_the_comparison_as_csv_with_price_and_missed_visits_for_every_contract(
    live_server, page: Page, tmp_path
):
    load_demo()
    _compare_the_borsetdale_contracts(page, live_server.url)
    _screenshot(page, "researcher-compare")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this comparison (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "opencare-comparison.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0] == COMPARISON_HEADER
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    for ocid in BORSETDALE:
        metrics = {record["metric_id"] for record in records if record["ocid"] == ocid}
        assert {"sc-price-per-hour", "sc-missed-visits"} <= metrics, ocid
