"""The Data Review Tool in a real browser: upload, report, failure page, downloads, small screens, keyboard, no JS.

Test settings run the review and its conversions inside the upload request (Django tasks' ImmediateBackend), so the
redirect after "Check the data" lands on the finished report.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path

import orjson
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.spreadsheets import json_to_spreadsheet

from .test_accessibility import _axe_problems

pytestmark = pytest.mark.django_db(transaction=True)

REPORT_PATH = re.compile(r"/review/[^/]+/$")
#: The focused element's id, or a button's text.
FOCUSED = """() => {
  const element = document.activeElement;
  return element.id || (element.tagName === "BUTTON" ? element.textContent.trim() : "");
}"""
DEEP_POINTER = "/contracts/0/implementation/metrics/0/observations/0/period/startDate"
LONG_EXTENSION_URL = (
    "https://raw.githubusercontent.com/an-organisation-with-a-long-name/ocds_a_very_long_extension_name_that_does_not"
    "_exist_anywhere/refs/heads/main/extension.json"
)


@pytest.fixture(autouse=True)
def own_review_store(review_store: Path) -> Path:
    """Each test gets its own review store (tests/conftest.py)."""
    return review_store


@pytest.fixture(scope="module")
def demo_package() -> dict:
    return borsetdale_release_package()


def _with_errors(package: dict) -> dict:
    """The demo package with two kinds of error: a date that is not a date, and a status not in its codelist."""
    broken = copy.deepcopy(package)
    broken["releases"][0]["date"] = "last Tuesday"
    broken["releases"][1]["tender"]["status"] = "wibble"
    return broken


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _upload(page: Page, base_url: str, path: Path) -> None:
    """Choose a file on the upload page and send it; wait for the page the redirect lands on."""
    page.goto(base_url + "/review/")
    page.locator("#file").set_input_files(path)
    page.get_by_role("button", name="Check the data").click()
    page.wait_for_url(REPORT_PATH)


def _assert_fits_320px(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{page.url} is {scroll_width}px wide at a 320px viewport"


def test_a_good_json_file_gives_an_accessible_report_with_no_errors_and_key_facts(
    live_server, page: Page, tmp_path: Path, demo_package: dict
):
    page.goto(live_server.url + "/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your data")
    assert _axe_problems(page) == []

    path = _write(tmp_path, "borsetdale.json", orjson.dumps(demo_package))
    page.locator("#file").set_input_files(path)
    page.get_by_role("button", name="Check the data").click()
    page.wait_for_url(REPORT_PATH)

    expect(page.get_by_role("heading", level=1)).to_have_text("Report on your data")
    expect(page.get_by_role("heading", name="No errors found")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#key-facts")).to_contain_text("Borsetdale Council (invented sample)")
    expect(page.get_by_text("borsetdale.json")).to_be_visible()
    assert _axe_problems(page) == []


def test_the_error_summary_links_move_the_reader_to_each_finding(
    live_server, page: Page, tmp_path: Path, demo_package: dict
):
    path = _write(tmp_path, "broken.json", orjson.dumps(_with_errors(demo_package)))
    _upload(page, live_server.url, path)

    expect(page.get_by_text("Not valid")).to_be_visible()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    assert links.count() >= 2
    assert _axe_problems(page) == []

    first = links.first
    anchor = first.get_attribute("href")
    assert re.fullmatch(r"#finding-\d+", anchor)
    heading = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(re.escape(anchor) + "$"))
    card = page.locator(anchor)
    expect(card).to_be_in_viewport()
    expect(card).to_be_focused()
    expect(card.locator(".govuk-summary-card__title")).to_have_text(heading.split(" (")[0])


def test_a_file_that_is_not_json_gives_a_422_page_with_the_line_and_column(live_server, page: Page, tmp_path: Path):
    path = _write(tmp_path, "bad.json", b'{"releases": [\n {"ocid": }]}')
    page.goto(live_server.url + "/review/")
    page.locator("#file").set_input_files(path)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Check the data").click()
    assert navigation.value.status == 422
    assert REPORT_PATH.search(page.url)

    expect(page.get_by_role("heading", level=1)).to_have_text("We could not read your data")
    expect(page.locator("#what-went-wrong")).to_contain_text("Line 2, column")
    expect(page.locator("#what-went-wrong")).to_contain_text("bad.json")
    assert page.request.get(page.url).status == 422
    assert _axe_problems(page) == []


def test_a_spreadsheet_error_shows_its_sheet_and_cell_and_every_download_works(
    live_server, page: Page, tmp_path: Path, demo_package: dict
):
    package = copy.deepcopy(demo_package)
    package["releases"] = package["releases"][:10]
    package["releases"][0]["tender"]["status"] = "wibble"  # not in the closed tenderStatus codelist
    source = _write(tmp_path, "source.json", orjson.dumps(package))
    spreadsheet = tmp_path / "contracts.xlsx"
    json_to_spreadsheet(source, spreadsheet, "xlsx")
    _upload(page, live_server.url, spreadsheet)

    expect(page.get_by_role("heading", level=1)).to_have_text("Report on your data")
    expect(page.get_by_text("converted from", exact=False)).to_be_visible()
    place = page.locator(".govuk-summary-card td strong").filter(has_text=re.compile(r"^Sheet '.+', cell [A-Z]+\d+$"))
    expect(place.first).to_be_visible()
    assert _axe_problems(page) == []

    downloads = page.locator("#download-list")
    expect(downloads.get_by_role("link", name="This report (JSON)")).to_be_visible()

    def download(name: str) -> bytes:
        with page.expect_download() as info:
            downloads.get_by_role("link", name=name).click()
        return Path(info.value.path()).read_bytes()

    data = json.loads(download("Your data as JSON"))
    assert len(data["releases"]) == 10
    assert data["releases"][0]["tender"]["status"] == "wibble"

    xlsx = download("Your data as Excel spreadsheet (XLSX)")
    assert xlsx.startswith(b"PK")
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert workbook.sheetnames
    workbook.close()

    csv_zip = download("Your data as CSV files (zip)")
    assert csv_zip.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(csv_zip)) as archive:
        names = archive.namelist()
    assert names
    assert all(name.endswith(".csv") for name in names)


def test_pasted_json_gives_a_report(live_server, page: Page, demo_package: dict):
    package = copy.deepcopy(demo_package)
    package["releases"] = package["releases"][:5]
    page.goto(live_server.url + "/review/")
    page.locator("#pasted").fill(json.dumps(package))
    page.get_by_role("button", name="Check the data").click()
    page.wait_for_url(REPORT_PATH)

    expect(page.get_by_role("heading", level=1)).to_have_text("Report on your data")
    expect(page.get_by_role("heading", name="No errors found")).to_be_visible()
    expect(page.locator("#key-facts")).to_contain_text("Borsetdale Council (invented sample)")


def test_upload_report_and_failed_pages_fit_320px_with_long_pointers_urls_and_values(
    live_server, page: Page, tmp_path: Path, demo_package: dict
):
    page.goto(live_server.url + "/review/")
    _assert_fits_320px(page)

    package = _with_errors(demo_package)
    package["extensions"].append(LONG_EXTENSION_URL)
    package["releases"][2]["date"] = "x" * 300  # an unbroken value, cut to 200 characters on the page
    deep = next(r for r in package["releases"] if r.get("contracts") and r["contracts"][0].get("implementation"))
    deep["contracts"][0]["implementation"]["metrics"][0]["observations"][0]["period"]["startDate"] = "someday"
    path = _write(tmp_path, f"{'a-long-file-name-without-spaces' * 4}.json", orjson.dumps(package))
    page.set_viewport_size({"width": 1280, "height": 720})
    _upload(page, live_server.url, path)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_text(DEEP_POINTER).first).to_be_attached()
    _assert_fits_320px(page)
    assert _axe_problems(page) == []  # at 320px too: e.g. scrolling tables must be reachable by keyboard

    page.set_viewport_size({"width": 1280, "height": 720})
    _upload(page, live_server.url, _write(tmp_path, "bad.json", b'{"releases": [\n {"ocid": }]}'))
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not read your data")
    _assert_fits_320px(page)


def test_tab_reaches_the_file_input_then_the_pasted_box_then_the_submit_button(live_server, page: Page):
    page.goto(live_server.url + "/review/")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        order.append(focused)
        if focused == "Check the data":
            break
    assert "file" in order, order
    assert "pasted" in order, order
    assert order[-1] == "Check the data", order
    assert order.index("file") < order.index("pasted")
    expect(page.get_by_role("button", name="Check the data")).to_be_focused()


def test_upload_and_report_work_without_javascript(live_server, browser: Browser, tmp_path: Path, demo_package: dict):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        _upload(page, live_server.url, _write(tmp_path, "broken.json", orjson.dumps(_with_errors(demo_package))))
        expect(page.get_by_role("heading", level=1)).to_have_text("Report on your data")
        expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))  # the page's scripts did not run
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        expect(page.locator("#key-facts")).to_contain_text("Borsetdale Council (invented sample)")
        expect(page.locator("#download-list").get_by_role("link", name="Your data as JSON")).to_be_visible()

        report_url = page.url
        page.get_by_role("button", name="Delete it now").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report deleted")
        assert page.request.get(report_url).status == 404
    finally:
        context.close()
