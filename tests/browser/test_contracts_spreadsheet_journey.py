"""A council's contracts from one spreadsheet, in a browser (issue 18): download the social care template from the
Data Review Tool, fill it in with openpyxl as a spreadsheet program would, check it at /review/ (every finding
names its sheet and cell), correct the cell, then publish the same file at /publish/: a check-your-answers page of
new contracts, Publish, the contracts' public pages; and the same file again publishes nothing.

Screenshots go beside the other journeys' (test-artifacts/screenshots/journey-contracts-spreadsheet-*.png).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import COUNCIL

from .test_journeys import _screenshot
from .test_publishing_journey import _arrive, _field, _no_accessibility_problems, _sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACTS = ("HC-101", "HC-102", "HC-103")
SHEETS = "About the publisher|Contracts|Organisations|Targets|Monthly figures|Reviews|Documents"
PLACE = re.compile(rf"^Sheet '({SHEETS})', cell [A-Z]+\d+$")


def _fill(template: Path, out: Path, review_date: str) -> Path:
    """The council's three home care contracts on the downloaded template, with a target, figures, a review and
    a document each; the third contract's review is dated ``review_date``."""
    workbook = load_workbook(template)
    about = workbook["About the publisher"]
    for row, answer in enumerate([COUNCIL.name, COUNCIL.scheme, COUNCIL.ident, "https://www.borsetdale.gov.uk",
                                  "https://www.borsetdale.gov.uk/open-data/care.json",
                                  "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "",
                                  "ocds-b5fd17"], start=2):  # fmt: skip
        about.cell(row, 2, answer or None)
    workbook["Organisations"].append([COUNCIL.name, COUNCIL.scheme, COUNCIL.ident, "Buyer"])
    for number, reference in enumerate(CONTRACTS, start=1):
        provider = f"Heartwood Home Care {number} Ltd"
        workbook["Organisations"].append([provider, "GB-COH", f"0765432{number}", "Provider"])
        start, value = dt.datetime(2026, 4, 1), 900_000 * number
        workbook["Contracts"].append([reference, f"Home care in ward {number}", COUNCIL.name, provider, "Home care",
                                      start, "31/3/2029", None, value, 26.4, 12.6])  # fmt: skip
        workbook["Targets"].append([reference, "Visits on time", 95])
        workbook["Monthly figures"].append([reference, "Visits on time", "May 2026", 93 + number])
        workbook["Monthly figures"].append([reference, "Hours of care delivered", "May 2026", 2100 * number])
        date = review_date if number == 3 else "20/10/2026"
        workbook["Reviews"].append([reference, date, "The first six months", "A report on missed visits monthly"])
        workbook["Documents"].append([reference, "Signed contract", f"Contract {reference}",
                                      f"https://www.borsetdale.gov.uk/contracts/{reference.lower()}.pdf"])  # fmt: skip
    workbook.save(out)
    return out


def _review(page: Page, base: str, path: Path) -> None:
    page.goto(base + "/review/")
    page.locator("#file").set_input_files(path)
    page.get_by_role("button", name="Check the data").click()
    page.wait_for_url(re.compile(r"/review/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report on your data")


def test_a_council_checks_the_filled_template_at_review_then_publishes_the_same_file_at_publish(
    live_server, page: Page, settings, tmp_path, review_store
):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    settings.OPENCARE_SITE_URL = live_server.url
    stored_borsetdale(NORTH)
    create_demo_accounts()
    base = live_server.url

    page.goto(base + "/review/")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Social care template (Excel, XLSX)").click()
    template = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(template)
    assert template.suffix == ".xlsx"

    wrong = _fill(template, tmp_path / "contracts-wrong.xlsx", review_date="1/1/2031")  # a review not yet held
    _review(page, base, wrong)
    expect(page.get_by_text("Not valid")).to_be_visible()
    places = page.locator(".govuk-summary-card td strong").filter(has_text=PLACE)
    cards = page.locator(".govuk-summary-card")
    expect(places.first).to_have_text("Sheet 'Reviews', cell B6")
    assert cards.count() >= 1
    assert places.count() >= cards.count(), "a finding of the filled template has no sheet and cell"
    _no_accessibility_problems(page, "the report on the filled template")
    _screenshot(page, "contracts-spreadsheet-1-review-finding")

    right = _fill(template, tmp_path / "borsetdale-contracts.xlsx", review_date="20/10/2026")
    _review(page, base, right)
    expect(page.get_by_role("heading", name="No errors found")).to_be_visible()
    _screenshot(page, "contracts-spreadsheet-2-review-no-errors")

    _sign_in(page, base, "commissioner")
    page.goto(base + "/publish/")
    page.get_by_role("link", name=COUNCIL.name, exact=True).click()
    page.get_by_role("button", name="Publish contracts from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish contracts from a spreadsheet")
    _no_accessibility_problems(page, "the contracts spreadsheet upload page")
    _field(page, "The social care template, filled in (Excel .xlsx or LibreOffice .ods)").set_input_files(right)
    page.get_by_role("button", name="Upload and check").click()
    _arrive(page, "Check your contracts", "The spreadsheet was refused")
    rows = page.locator("#planned-contracts tbody tr")
    expect(rows).to_have_count(3)
    for reference in CONTRACTS:
        expect(page.locator(f'tr[data-reference="{reference}"] .govuk-tag')).to_have_text("New")
    _no_accessibility_problems(page, "the check page of the contracts spreadsheet")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the check page is wider than 320px"
    _screenshot(page, "contracts-spreadsheet-3-check-320")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("button", name="Publish", exact=True).click()
    _arrive(page, COUNCIL.name, "Publishing was refused")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published 3 contracts")

    ocid = f"{settings.OPENCARE_OCID_PREFIX}-{COUNCIL.scheme}-{COUNCIL.ident}-HC-102"
    page.goto(base + f"/contracts/{ocid}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Home care in ward 2")
    expect(page.get_by_text("Heartwood Home Care 2 Ltd").first).to_be_visible()
    _screenshot(page, "contracts-spreadsheet-4-public-contract")

    page.goto(base + "/publish/")
    page.get_by_role("link", name=COUNCIL.name, exact=True).click()
    page.get_by_role("button", name="Publish contracts from a spreadsheet").click()
    _field(page, "The social care template, filled in (Excel .xlsx or LibreOffice .ods)").set_input_files(right)
    page.get_by_role("button", name="Upload and check").click()
    _arrive(page, "Check your contracts", "The spreadsheet was refused")
    expect(page.locator('#planned-contracts tbody tr[data-status="unchanged"]')).to_have_count(3)
    expect(page.get_by_text("Nothing new to publish: every contract is already published as it is.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
