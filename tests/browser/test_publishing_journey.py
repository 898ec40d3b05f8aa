"""Publishing end to end in a browser: a commissioner creates a contracting process, publishes the contract with
three agreed metrics and records an interim review; the provider enters six months of actuals, three by the form
and three by spreadsheet upload; the public contract page shows all of it, and the process's OCDS record has no
errors against the profile.

Screenshots go beside the other journeys' (test-artifacts/screenshots/journey-publishing-*.png).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from opencare.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from opencare.demo.borsetdale import COUNCIL, MOORSIDE
from opencare.demo.services import load_demo
from opencare.ocds.release_builder import PUBLISHED_EXTENSIONS
from opencare.ocds.review.engine import review

from .test_accessibility import _axe_problems, _wait_for_images
from .test_journeys import ARTIFACTS, _screenshot

pytestmark = pytest.mark.django_db(transaction=True)

#: A small but real PDF: a header, one object, a trailer and the end-of-file marker.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Home care in Saltmarsh (browser journey)"
CONTRACT_TITLE = "Saltmarsh home care: contract with Moorside"
REVIEW_TITLE = "Interim review: first quarter"
#: The three agreed metrics: catalogue id, title on the pages, target.
METRICS = (
    ("sc-missed-visits", "Missed visits", "2"),
    ("sc-punctuality", "Visits on time", "90"),
    ("sc-continuity-of-carer", "Visits from familiar care workers", "80"),
)
#: Six months of actuals per metric, as (month, missed visits %, visits on time %, familiar care workers %).
#: Missed visits are better lower (target 2), the others higher (targets 90 and 80).
BY_FORM = (
    ("2026-04", "1.5", "92", "85"),
    ("2026-05", "2.6", "88", "82"),  # missed visits and punctuality below target
    ("2026-06", "1.8", "91", "79"),  # continuity below target
)
BY_SPREADSHEET = (
    ("2026-07", "1.2", "93", "84"),
    ("2026-08", "2.4", "90.5", "81"),  # missed visits below target
    ("2026-09", "1.7", "94", "86"),
)
#: Releases in the end: the tender, the award and contract, the review, three months by form and one upload.
RELEASES = 7
MONTH_ENDS = {"2026-07": "31", "2026-08": "31", "2026-09": "30"}
MONTH_NAMES = {
    "2026-04": "April 2026",
    "2026-05": "May 2026",
    "2026-06": "June 2026",
    "2026-07": "July 2026",
    "2026-08": "August 2026",
    "2026-09": "September 2026",
}


def _field(scope: Page | Locator, label: str) -> Locator:
    """A form field by its label; optional fields' labels end with a visually hidden '(optional)'."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"( \(optional\))?$"))


def _sign_in(page: Page, base_url: str, username: str) -> None:
    """Sign in through the sign-in form, typing the username and password as a person would."""
    page.goto(base_url + "/account/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username", exact=True).press_sequentially(username)
    page.get_by_label("Password", exact=True).press_sequentially(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/account/sign-in/" not in url)
    expect(page.get_by_text(f"You are signed in as {username}.")).to_be_visible()


def _sign_out(page: Page, base_url: str) -> None:
    page.goto(base_url + "/account/sign-out/")
    page.get_by_role("main").get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def _no_accessibility_problems(page: Page, what: str) -> None:
    _wait_for_images(page)
    problems = _axe_problems(page)
    assert problems == [], f"axe-core found problems on {what}: {problems}"


def _save_and_check(page: Page) -> Locator:
    """Save the form and land on 'Check your answers'; returns its summary list."""
    page.get_by_role("button", name="Save and continue").click()
    _arrive(page, "Check your answers", "The form was refused")
    return page.locator("dl.govuk-summary-list")


def _arrive(page: Page, heading: str, refused: str) -> None:
    """Wait for the next page: the one headed `heading`, or a page with an error summary (a clear failure)."""
    page.locator(f"h1:text-is({heading!r}), .govuk-error-summary").first.wait_for()
    errors = page.locator(".govuk-error-summary")
    if errors.count():
        raise AssertionError(f"{refused} at {page.url}: {errors.inner_text()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def _answer(summary: Locator, key: str) -> Locator:
    """The value of one row of 'Check your answers'."""
    key_cell = summary.page.locator("dt", has_text=re.compile(f"^{re.escape(key)}$"))
    row = summary.locator(".govuk-summary-list__row", has=key_cell)
    return row.locator("dd.govuk-summary-list__value")


def _publish(page: Page, title: str) -> None:
    """Publish from 'Check your answers' and land back on the process page, with its success message."""
    page.get_by_role("button", name="Publish", exact=True).click()
    _arrive(page, title, "Publishing was refused")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Published")


def _create_process(page: Page, base_url: str, tmp_path) -> str:
    """The commissioner creates the contracting process, with an uploaded specification; returns its OCID."""
    page.goto(base_url + "/publish/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish")
    page.get_by_role("link", name=COUNCIL.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COUNCIL.name)
    page.get_by_role("button", name="Create a contracting process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a contracting process")
    _no_accessibility_problems(page, "the create-process form")

    page.set_viewport_size({"width": 320, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "journey-publishing-1-form-320.png", full_page=False)
    assert scroll_width <= 320, f"The create-process form is {scroll_width}px wide at a 320px viewport"
    page.set_viewport_size({"width": 1280, "height": 720})

    spec = tmp_path / "Saltmarsh service specification.pdf"
    spec.write_bytes(PDF)
    _field(page, "Title").fill(TITLE)
    _field(page, "Description").fill("Care and support at home for adults in Saltmarsh.")
    _field(page, "Type of service").select_option(label="Home care")
    _field(page, "Area served").fill("Saltmarsh")
    _field(page, "Estimated total value (£)").fill("900000")
    _field(page, "Contract starts").fill("2026-04-01")
    _field(page, "Contract ends").fill("2029-03-31")
    _field(page, "Options to extend (optional)").fill("One extension of 24 months")
    _field(page, "How bids are judged (optional)").fill("Quality 70%, price 30%")
    _field(page, "Service specification: upload the file").set_input_files(spec)
    _field(page, "Service specification: pages that matter").fill("6-9")
    _field(page, "Outcomes framework: or give its web address").fill("https://borsetdale.example.org/outcomes.pdf")
    _screenshot(page, "publishing-2-create-process")

    summary = _save_and_check(page)
    expect(_answer(summary, "Title")).to_have_text(TITLE)
    expect(_answer(summary, "Type of service")).to_have_text("Home care")
    expect(_answer(summary, "Area served")).to_have_text("Saltmarsh")
    expect(_answer(summary, "Estimated value")).to_have_text("£900,000")
    expect(_answer(summary, "Contract period")).to_have_text("01 April 2026 to 31 March 2029")
    expect(_answer(summary, "Service specification")).to_have_text("Uploaded, pages 6 to 9")
    expect(_answer(summary, "Outcomes framework")).to_have_text("https://borsetdale.example.org/outcomes.pdf")
    _no_accessibility_problems(page, "check your answers (create a process)")
    _screenshot(page, "publishing-3-check-your-answers")

    _publish(page, TITLE)
    match = re.search(r"/processes/([^/]+)/$", page.url)
    assert match, page.url
    ocid = match.group(1)
    expect(page.get_by_text(f"OCID {ocid}")).to_be_visible()
    _no_accessibility_problems(page, "the process page")
    _screenshot(page, "publishing-4-process")
    return ocid


def _publish_contract(page: Page) -> None:
    page.get_by_role("link", name="Publish the award and contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the award and contract")
    _field(page, "Provider").select_option(label=MOORSIDE.name)
    _field(page, "Contract title").fill(CONTRACT_TITLE)
    _field(page, "Contract value (£)").fill("900000")
    _field(page, "Contract starts").fill("2026-04-01")
    _field(page, "Contract ends").fill("2029-03-31")
    _field(page, "Date signed").fill("2026-03-10")
    _field(page, "Price per hour of care (£)").fill("29.10")
    _field(page, "Care worker pay per hour (£)").fill("13.45")
    _field(page, "Pay commitment in words (optional)").fill("At least the Real Living Wage; travel time is paid")
    _field(page, "Pay and conditions").fill("Real Living Wage for all working time")
    _field(page, "How performance is measured").fill("Monthly figures for each agreed metric")
    for _, title, target in METRICS:  # each target box shows its unit: all three are percentages
        _field(page, f"{title}: target (percent)").fill(f"{target}%")
    _screenshot(page, "publishing-5-contract-form")

    summary = _save_and_check(page)
    expect(_answer(summary, "Provider")).to_have_text(f"{MOORSIDE.name} (Mutuals Public Register {MOORSIDE.ident})")
    expect(_answer(summary, "Contract title")).to_have_text(CONTRACT_TITLE)
    expect(_answer(summary, "Price per hour")).to_have_text("£29.10")
    expect(_answer(summary, "Care worker pay per hour")).to_have_text("£13.45")
    for _, title, target in METRICS:
        expect(_answer(summary, title)).to_have_text(re.compile("^" + re.escape(f"Target: {target}%. ")))
    _publish(page, TITLE)
    contracts = page.locator("dl.govuk-summary-list")
    expect(contracts.locator("dt")).to_have_text([CONTRACT_TITLE])
    for _, title, target in METRICS:
        expect(contracts.locator("dd")).to_contain_text(f"{title}: {target}")


def _record_review(page: Page) -> None:
    page.get_by_role("link", name="Record an interim review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an interim review")
    _field(page, "Review").fill(REVIEW_TITLE)
    _field(page, "Date of the review").fill("2026-07-10")
    _field(page, "What was reviewed and agreed").fill("The first quarter's figures; a plan to cut missed visits.")
    _field(page, "Minutes or report: or give its web address").fill("https://borsetdale.example.org/minutes-q1.pdf")
    summary = _save_and_check(page)
    expect(_answer(summary, "Review")).to_have_text(REVIEW_TITLE)
    expect(_answer(summary, "Date")).to_have_text("10 July 2026")
    _publish(page, TITLE)


def _enter_month_by_form(page: Page, month: str, figures: tuple[str, str, str]) -> None:
    page.get_by_role("link", name="Publish actuals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a month's figures")
    _field(page, "Month the figures are for").fill(month)
    for (_, title, _), figure in zip(METRICS, figures, strict=True):
        _field(page, title).fill(figure)
    summary = _save_and_check(page)
    expect(summary).to_contain_text(f"{METRICS[0][1]}, 01 {MONTH_NAMES[month][:3]} 2026")
    _publish(page, TITLE)


def _upload_months(page: Page, tmp_path) -> None:
    lines = ["metric_id,period_start,period_end,value,notes"]
    for month, *figures in BY_SPREADSHEET:
        for (metric_id, _, _), figure in zip(METRICS, figures, strict=True):
            note = "Storm on 12 August" if (metric_id, month) == ("sc-missed-visits", "2026-08") else ""
            lines.append(f"{metric_id},{month}-01,{month}-{MONTH_ENDS[month]},{figure},{note}")
    spreadsheet = tmp_path / "moorside-actuals-jul-sep-2026.csv"
    spreadsheet.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page.get_by_role("link", name="Upload actuals from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload actuals from a spreadsheet")
    _field(page, "Spreadsheet of actuals (CSV or Excel)").set_input_files(spreadsheet)
    page.get_by_role("button", name="Upload and check").click()
    _arrive(page, "Check your answers", "The spreadsheet was refused")
    summary = page.locator("dl.govuk-summary-list")
    expect(summary.locator(".govuk-summary-list__row")).to_have_count(9)
    expect(_answer(summary, "Missed visits, 01 Aug 2026 to 31 Aug 2026")).to_have_text("2.4: below the target")
    expect(_answer(summary, "Visits on time, 01 Sep 2026 to 30 Sep 2026")).to_have_text("94: meets the target")
    _screenshot(page, "publishing-7-upload-check")
    _publish(page, TITLE)


def _check_the_public_page(page: Page, base_url: str, ocid: str) -> None:
    page.goto(base_url + f"/contracts/{ocid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    in_short = page.locator("#in-short + dl")
    price = in_short.locator(".govuk-summary-list__row", has_text="Price per hour of care")
    expect(price.locator("dd")).to_have_text("£29.10")
    expect(in_short.locator(".govuk-summary-list__row", has_text="Provider").locator("dd")).to_have_text(MOORSIDE.name)

    spec = page.get_by_role("link", name=re.compile("Service specification"))
    expect(spec).to_have_count(1)
    href = spec.get_attribute("href") or ""
    assert href.startswith(base_url + "/publish/documents/"), href  # on this site, as OPENCARE_SITE_URL says
    download = page.request.get(href)
    assert download.status == 200, download.status
    assert download.body() == PDF

    figures = {month: dict(zip((m[0] for m in METRICS), values, strict=True)) for month, *values in BY_FORM}
    figures |= {month: dict(zip((m[0] for m in METRICS), values, strict=True)) for month, *values in BY_SPREADSHEET}
    for metric_id, title, target in METRICS:
        section = page.locator("section", has=page.get_by_role("heading", name=title, level=3, exact=True))
        expect(section).to_have_count(1)
        table = section.locator("table")
        expect(table.locator("caption")).to_contain_text(f"target {target}%")
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(6)
        for month, by_metric in figures.items():
            row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=MONTH_NAMES[month], exact=True))
            expect(row.locator("td").first).to_have_text(f"{by_metric[metric_id]}%")
            better = "lower" if metric_id == "sc-missed-visits" else "higher"
            figure, goal = float(by_metric[metric_id]), float(target)
            met = figure <= goal if better == "lower" else figure >= goal
            expect(row.locator(".govuk-tag")).to_have_text("Met" if met else "Below")
        expect(section.locator("details")).to_have_attribute("open", "")  # each metric has a month below target

    missed = page.locator("section", has=page.get_by_role("heading", name="Missed visits", level=3, exact=True))
    may = missed.locator("tbody tr", has=page.get_by_role("rowheader", name="May 2026", exact=True))
    expect(may.locator(".govuk-tag")).to_have_text("Below")
    expect(page.locator("#going + p")).to_contain_text("Missed:")

    reviews = page.get_by_role("region", name="Interim reviews")
    review_row = reviews.locator("tbody tr", has_text=REVIEW_TITLE)
    expect(review_row).to_have_count(1)
    expect(review_row).to_contain_text("10 Jul 2026")
    expect(page.get_by_role("region", name="History").locator("tbody tr")).to_have_count(RELEASES)
    _screenshot(page, "publishing-8-public-contract")


def _record_has_no_errors(page: Page, base_url: str, ocid: str) -> None:
    """The record from the API, reviewed against the profile opencare publishes to: no errors, no unknown fields."""
    response = page.request.get(base_url + f"/api/records/{ocid}")
    assert response.ok, (response.status, response.text()[:2000])
    package = response.json()
    record = package["records"][0]
    assert record["ocid"] == ocid
    assert [release["tag"] for release in record["releases"]] == [
        ["tender"],
        ["award", "contract"],
        ["implementation"],
        *[["implementationUpdate"]] * (len(BY_FORM) + 1),
    ]
    # The API's packages declare no extensions, so a review of the package as served checks only the core schema
    # and reports the profile's fields as additional fields. Declare the profile's extensions (those the publishing
    # forms publish with), unless the API has come to declare them itself.
    package.setdefault("extensions", list(PUBLISHED_EXTENSIONS))
    report = review(io.BytesIO(json.dumps(package).encode()))
    assert (report.records, report.extensions_not_applied) == (1, [])
    assert len(report.extensions_applied) == len(package["extensions"])
    errors = [finding.as_json() for finding in report.findings if finding.severity == "error"]
    assert errors == [], f"The record of {ocid} from /api/records/ has {len(errors)} errors: {errors}"
    unknown = [finding.path for finding in report.findings if finding.check == "ocds.additional-field"]
    assert unknown == [], f"Fields the profile does not have: {unknown}"


def test_a_contract_is_published_by_its_commissioner_and_provider_and_shown_in_full_on_its_public_page(
    live_server, page: Page, settings, tmp_path
):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    settings.OPENCARE_SITE_URL = live_server.url
    load_demo()
    create_demo_accounts()
    base = live_server.url

    _sign_in(page, base, "commissioner")
    ocid = _create_process(page, base, tmp_path)
    _publish_contract(page)
    _record_review(page)
    _screenshot(page, "publishing-6-commissioner-done")
    _sign_out(page, base)

    _sign_in(page, base, "provider")
    page.get_by_role("link", name=MOORSIDE.name, exact=True).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for month, *figures in BY_FORM:
        _enter_month_by_form(page, month, tuple(figures))
    _upload_months(page, tmp_path)
    _sign_out(page, base)

    _check_the_public_page(page, base, ocid)
    _record_has_no_errors(page, base, ocid)
