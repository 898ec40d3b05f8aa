"""A provider's monthly figures in a browser (issue 18): the demo provider downloads the actuals template from its
publishing page, fills it in with openpyxl as a spreadsheet program would, uploads it, checks the figures (new, per
contract) and publishes them; the public contract page then shows the hours of care delivered.

Screenshots go beside the other journeys' (test-artifacts/screenshots/journey-monthly-figures-*.png).
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import MOORSIDE

from .test_journeys import _screenshot
from .test_publishing_journey import _arrive, _field, _no_accessibility_problems, _sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HOURS = "Hours of care delivered"
MONTH = "April 2026"
FIGURE = 3876.5


def test_a_provider_publishes_hours_delivered_from_the_downloaded_template_and_the_public_page_shows_them(
    live_server, page: Page, settings, tmp_path
):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    settings.OPENCARE_SITE_URL = live_server.url
    stored_borsetdale(NORTH)
    create_demo_accounts()
    base = live_server.url

    _sign_in(page, base, "provider")  # the demo provider, with the demo password
    page.goto(base + "/publish/")
    page.get_by_role("link", name=MOORSIDE.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MOORSIDE.name)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the actuals template (Excel, .xlsx)").click()
    template = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(template)
    assert template.suffix == ".xlsx"

    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Monthly figures", "Instructions"]
    contract = workbook["Instructions"]["A14"].value
    workbook["Monthly figures"].append([contract, HOURS, MONTH, FIGURE, "From electronic call monitoring"])
    filled = tmp_path / "moorside-monthly-figures.xlsx"
    workbook.save(filled)

    page.get_by_role("link", name="Upload monthly figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload monthly figures")
    _no_accessibility_problems(page, "the monthly figures upload page")
    _field(page, "Spreadsheet of monthly figures (Excel .xlsx)").set_input_files(filled)
    page.get_by_role("button", name="Upload and check").click()
    _arrive(page, "Check your monthly figures", "The spreadsheet was refused")
    expect(page.get_by_role("heading", level=2, name=contract)).to_be_visible()
    row = page.locator("tbody tr", has_text=HOURS)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(MONTH)
    expect(row.locator("td").nth(2)).to_contain_text("3876.5")
    expect(row.locator(".govuk-tag")).to_have_text("New")
    _no_accessibility_problems(page, "the monthly figures check page")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the check page is wider than 320px"
    _screenshot(page, "monthly-figures-1-check-320")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("button", name="Publish", exact=True).click()
    _arrive(page, MOORSIDE.name, "Publishing was refused")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published 1 figure")

    page.goto(base + f"/contracts/{NORTH}/")
    section = page.locator("section", has=page.get_by_role("heading", name=HOURS, level=3, exact=True))
    expect(section).to_have_count(1)
    figures = section.locator("details").first
    if figures.get_attribute("open") is None:  # the figures are folded away unless one is below a target
        figures.locator("summary").click()
    april = section.locator("tbody tr", has=page.get_by_role("rowheader", name=MONTH, exact=True))
    expect(april).to_have_count(1)
    expect(april.locator("td").first).to_contain_text("3,876.5")
    _screenshot(page, "monthly-figures-2-public-contract")
