"""One truth end to end, in a browser: a council publishes a contract with three targets, a Real Living Wage promise
and an interim review through the forms; the provider publishes one month's figures; then the contract page, the
easy read page, the API record, the Atom feed, the bulk downloads and the page's JSON twin all show the targets,
the review's text and the month's figures, pay judged against every promise (issue 16).

Screenshots go beside the other journeys' (test-artifacts/screenshots/journey-truth-*.png).
"""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import COUNCIL, MOORSIDE
from opencare.demo.services import load_demo
from opencare.ocds.review.engine import review

from .test_journeys import _screenshot
from .test_publishing_journey import (
    _answer,
    _field,
    _no_accessibility_problems,
    _publish,
    _save_and_check,
    _sign_in,
    _sign_out,
)

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Home care in Saltmarsh Quay (truth journey)"
CONTRACT_TITLE = "Saltmarsh Quay home care: contract with Moorside"
TERMS = "Real Living Wage for all working time"
#: The Real Living Wage in force from 1 April 2025 (reference-rates.json): the pay agreed when the contract starts.
AGREED_PAY = "12.60"
#: The three targets: catalogue id, title, target, the target as the page shows it, which way is better.
TARGETS = (
    ("sc-missed-visits", "Missed visits", "2", "2%", "Lower is better"),
    ("sc-punctuality", "Visits on time", "90", "90%", "Higher is better"),
    ("sc-continuity-of-carer", "Visits from familiar care workers", "80", "80%", "Higher is better"),
)
REVIEW_TITLE = "Interim review: first year"
REVIEW_DATE = date(2026, 7, 10)
REVIEW_TEXT = "The first year's figures; Moorside agreed a plan to cut late visits in the Quay's outlying streets."
MONTH, MONTH_NAME = "2026-10", "October 2026"
#: October 2026's figures: visits on time is below its target of 90; the rest meet theirs.
FIGURES = {"sc-missed-visits": "1.5", "sc-punctuality": "87", "sc-continuity-of-carer": "84"}
#: Above the agreed £12.60 and the National Living Wage for 2026-27 (£12.71), below the Real Living Wage for
#: 2026-27 (£13.45) that the contract terms promise for all working time: "below", with the reason in words.
PAY = "13.00"
PAY_REASON = "£13.00 is below the Real Living Wage for 2026\N{EN DASH}27, £13.45, which the contract terms promise."
RESULTS = {"Missed visits": "Met", "Visits on time": "Below", "Visits from familiar care workers": "Met"}
BULK_PACKAGE = "opencare-all-releases.json.gz"


def _create_process(page: Page, base_url: str) -> str:
    """The commissioner creates the contracting process; returns its OCID."""
    page.goto(base_url + "/publish/")
    page.get_by_role("link", name=COUNCIL.name, exact=True).click()
    page.get_by_role("button", name="Create a contracting process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a contracting process")
    _field(page, "Title").fill(TITLE)
    _field(page, "Description").fill("Care and support at home for adults in Saltmarsh Quay.")
    _field(page, "Type of service").select_option(label="Home care")
    _field(page, "Area served").fill("Saltmarsh Quay")
    _field(page, "Estimated total value (£)").fill("1200000")
    _field(page, "Contract starts").fill("2025-04-01")
    _field(page, "Contract ends").fill("2028-03-31")
    _field(page, "Service specification: or give its web address").fill("https://borsetdale.example.org/quay-spec.pdf")
    _save_and_check(page)
    _publish(page, TITLE)
    match = re.search(r"/processes/([^/]+)/$", page.url)
    assert match, page.url
    _screenshot(page, "truth-1-process")
    return match.group(1)


def _publish_contract(page: Page) -> None:
    """The award and contract: three targets, agreed pay at the Real Living Wage, and the wage promise in its terms."""
    page.get_by_role("link", name="Publish the award and contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the award and contract")
    _field(page, "Provider").select_option(label=MOORSIDE.name)
    _field(page, "Contract title").fill(CONTRACT_TITLE)
    _field(page, "Contract value (£)").fill("1200000")
    _field(page, "Contract starts").fill("2025-04-01")
    _field(page, "Contract ends").fill("2028-03-31")
    _field(page, "Date signed").fill("2025-03-10")
    _field(page, "Price per hour of care (£)").fill("32.50")
    _field(page, "Care worker pay per hour (£)").fill(AGREED_PAY)
    _field(page, "Pay and conditions").fill(TERMS)
    _field(page, "How performance is measured").fill("Monthly figures for each agreed target")
    for _, title, target, _, _ in TARGETS:  # each target box shows its unit: all three are percentages
        _field(page, f"{title}: target (percent)").fill(target)
    _screenshot(page, "truth-2-contract-form")
    summary = _save_and_check(page)
    expect(_answer(summary, "Care worker pay per hour")).to_have_text(f"£{AGREED_PAY}")
    expect(_answer(summary, "Pay and conditions")).to_have_text(TERMS)
    for _, title, _, shown, better in TARGETS:
        expect(_answer(summary, title)).to_have_text(f"Target: {shown}. {better}.")
    _publish(page, TITLE)


def _record_review(page: Page) -> None:
    """A review dated after today is refused with a clear error; the one held in July is published."""
    page.get_by_role("link", name="Record an interim review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an interim review")
    _field(page, "Review").fill(REVIEW_TITLE)
    future = date.today() + timedelta(days=40)
    _field(page, "Date of the review").fill(future.isoformat())
    _field(page, "What was reviewed and agreed").fill(REVIEW_TEXT)
    page.get_by_role("button", name="Save and continue").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text(f"The date of the review, {future:%d %B %Y}, is after today")
    expect(errors).to_contain_text("Record a review once it has been held")
    expect(page.locator(".govuk-error-message")).to_contain_text("is after today")
    _screenshot(page, "truth-4-review-in-the-future-refused")

    _field(page, "Date of the review").fill(REVIEW_DATE.isoformat())
    _field(page, "What was reviewed and agreed").fill(REVIEW_TEXT)
    summary = _save_and_check(page)
    expect(_answer(summary, "What was reviewed and agreed")).to_have_text(REVIEW_TEXT)
    _publish(page, TITLE)


def _targets_before_any_figures(page: Page, base_url: str, ocid: str) -> None:
    """Before any actuals the targets are promised, with value, unit and direction, and have 'no figures yet'."""
    page.goto(base_url + f"/contracts/{ocid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    _promised_targets(page)
    going = page.locator("#going + p")
    expect(going).to_contain_text("3 targets are agreed; no figures have been published against them yet.")
    for _, title, _, shown, _ in TARGETS:
        section = page.locator("section", has=page.get_by_role("heading", name=title, level=3, exact=True))
        expect(section).to_contain_text(f"Target: {shown}")
        expect(section.locator(".govuk-tag")).to_have_text("No figures yet")
    _screenshot(page, "truth-3-contract-before-figures")

    page.goto(base_url + f"/contracts/{ocid}/easy-read/")
    targets = page.locator("#targets-agreed li")
    expect(targets).to_have_count(len(TARGETS))
    for item, (_, title, target, _, _) in zip(targets.all(), TARGETS, strict=True):
        expect(item).to_contain_text(title)
        expect(item).to_contain_text(f"{target} in 100")
    expect(page.get_by_text("There are no figures yet to show if the provider meets its targets.")).to_be_visible()
    _screenshot(page, "truth-3-easy-read-before-figures")


def _promised_targets(page: Page) -> None:
    table = page.get_by_role("region", name="Targets agreed")
    for _, title, _, shown, better in TARGETS:
        row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=re.compile("^" + re.escape(title))))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_contain_text(shown)
        expect(row.locator("td").nth(2)).to_have_text(better)


def _enter_the_month(page: Page) -> None:
    """The provider enters October's figures through the form: one target missed, pay below the promised wage."""
    page.get_by_role("link", name="Publish actuals", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a month's figures")
    _field(page, "Month the figures are for").fill(MONTH)
    for metric_id, _, _, _, _ in TARGETS:
        _field(page, next(t[1] for t in TARGETS if t[0] == metric_id)).fill(FIGURES[metric_id])
    _field(page, "Care worker pay per hour").fill(PAY)
    _screenshot(page, "truth-5-actuals-form")
    summary = _save_and_check(page)
    expect(_answer(summary, "Visits on time, 01 Oct 2026 to 31 Oct 2026")).to_have_text("87: below the target")
    # The provider is told before publishing that the pay is below the wage the contract promises, not "met".
    expect(_answer(summary, "Care worker pay per hour, 01 Oct 2026 to 31 Oct 2026")).to_have_text(
        f"£{PAY}: below. {PAY_REASON}"
    )
    _screenshot(page, "truth-6-actuals-check")
    _publish(page, TITLE)


def _contract_page_after_the_month(page: Page, base_url: str, ocid: str) -> None:
    page.goto(base_url + f"/contracts/{ocid}/")
    _promised_targets(page)
    expect(page.locator("#going + p")).to_contain_text("Missed:")
    expect(page.locator("#going + p")).to_contain_text("Visits on time")
    for _, title, _, shown, _ in TARGETS:
        section = page.locator("section", has=page.get_by_role("heading", name=title, level=3, exact=True))
        _open_the_figures(section)
        table = section.locator("table")
        expect(table.locator("caption")).to_contain_text(f"target {shown}")
        row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=MONTH_NAME, exact=True))
        metric_id = next(t[0] for t in TARGETS if t[1] == title)
        expect(row.locator("td").first).to_have_text(f"{FIGURES[metric_id]}%")
        expect(row.locator(".govuk-tag")).to_have_text(RESULTS[title])

    pay = page.locator("section", has=page.get_by_role("heading", name="Care worker pay per hour", exact=True))
    _open_the_figures(pay)
    pay_row = pay.locator("tbody tr", has=page.get_by_role("rowheader", name=MONTH_NAME, exact=True))
    expect(pay_row.locator("td").first).to_have_text(f"£{PAY}")
    expect(pay_row.locator(".govuk-tag")).to_have_text("Below")
    expect(pay_row).to_contain_text(PAY_REASON)
    expect(pay).not_to_contain_text("met the target in 1 of 1")

    reviews = page.get_by_role("region", name="Interim reviews")
    review_row = reviews.locator("tbody tr", has_text=REVIEW_TITLE)
    expect(review_row).to_have_count(1)
    expect(review_row).to_contain_text("10 Jul 2026")
    expect(review_row.locator(".govuk-tag")).to_have_text("Held")
    expect(review_row).to_contain_text(REVIEW_TEXT)
    _no_accessibility_problems(page, "the contract page")
    _screenshot(page, "truth-7-contract-after-the-month")


def _open_the_figures(section: Locator) -> None:
    """Open a metric's figures, as a reader does where no figure is below its target (they start closed)."""
    details = section.locator("details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def _easy_read_after_the_month(page: Page, base_url: str, ocid: str) -> None:
    page.goto(base_url + f"/contracts/{ocid}/easy-read/")
    main = page.get_by_role("main")
    for _, title, _, _, _ in TARGETS:
        expect(main.locator("#targets-agreed ul")).to_contain_text(title)
    # Three targets and pay are checked: the easy read counts four things, not "4 targets" beside a list of three.
    expect(main).to_contain_text("The council checks 4 things about this care.")
    expect(main).to_contain_text("In the last year, the provider always did well enough on 2 of them.")
    expect(main.locator("#not-well-enough ul")).to_contain_text("Visits on time")
    expect(main).to_contain_text("That is less than the contract promises. It promises the Real Living Wage")
    expect(main).to_contain_text("£13.45")
    # Easy read lists are as large as its sentences, not the smaller body text.
    size = "(element) => getComputedStyle(element).fontSize"
    sentence = main.locator("#targets-agreed p").evaluate(size)
    assert main.locator("#targets-agreed li").first.evaluate(size) == sentence
    assert main.locator("#not-well-enough li").first.evaluate(size) == sentence
    meetings = main.locator("section", has=page.get_by_role("heading", name="Meetings to check the care")).locator("p")
    expect(meetings.first).to_have_text(
        f"The council and the provider met on {REVIEW_DATE.day} {REVIEW_DATE:%B %Y} to check how the care is going."
    )
    expect(main).to_contain_text(REVIEW_TEXT)
    _no_accessibility_problems(page, "the easy read page")
    _screenshot(page, "truth-8-easy-read-after-the-month")


def _api_record(page: Page, base_url: str, ocid: str) -> list[str]:
    """The record in the API: the targets agreed, the review's text and the month's figures; returns release ids."""
    response = page.request.get(base_url + f"/api/records/{ocid}")
    assert response.ok, (response.status, response.text()[:2000])
    (record,) = response.json()["records"]
    assert [release["tag"] for release in record["releases"]] == [
        ["tender"],
        ["award", "contract"],
        ["implementation"],
        ["implementationUpdate"],
    ]
    (contract,) = record["compiledRelease"]["contracts"]
    agreed = {metric["id"]: metric for metric in contract["agreedMetrics"]}
    for metric_id, _, target, _, _ in TARGETS:
        (observation,) = agreed[metric_id]["observations"]
        assert observation["measure"] == float(target) or str(observation["measure"]) == target, observation
    assert {"sc-price-per-hour", "sc-worker-pay-per-hour"} <= set(agreed)
    milestones = contract["implementation"]["milestones"]
    assert [(m["title"], m["description"], m["status"]) for m in milestones] == [(REVIEW_TITLE, REVIEW_TEXT, "met")]
    actuals = {metric["id"]: metric["observations"] for metric in contract["implementation"]["metrics"]}
    assert set(actuals) == {*FIGURES, "sc-worker-pay-per-hour"}
    for metric_id, figure in [*FIGURES.items(), ("sc-worker-pay-per-hour", PAY)]:
        (observation,) = actuals[metric_id]
        amount = observation.get("measure", observation.get("value", {}).get("amount"))
        assert float(amount) == float(figure), observation
        assert observation["period"]["startDate"].startswith(f"{MONTH}-01")
    # The data says what the pages say: visits on time and pay are below (pay below the Real Living Wage promised).
    judged = {metric_id: observations[0]["measureClassification"]["id"] for metric_id, observations in actuals.items()}
    assert judged == {
        **{metric_id: RESULTS[title].lower() for metric_id, title, _, _, _ in TARGETS},
        "sc-worker-pay-per-hour": "below",
    }
    return [release["id"] for release in record["releases"]]


def _feed(page: Page, base_url: str, ocid: str, published_after: datetime) -> None:
    """The Atom feed the search page links to has the process first, updated by the month's figures."""
    page.goto(base_url + "/contracts/")
    href = page.get_by_role("link", name="Follow new and updated contracts (Atom feed)").get_attribute("href")
    response = page.request.get(base_url + href if href.startswith("/") else href)
    assert response.ok, response.status
    feed = response.text()
    first = feed.split("<entry>")[1]
    assert f"/contracts/{ocid}/" in first, first
    assert TITLE in first, first
    updated = re.search(r"<updated>([^<]+)</updated>", first).group(1)
    assert datetime.fromisoformat(updated.replace("Z", "+00:00")) >= published_after, (updated, published_after)
    assert "Provider: " + MOORSIDE.name in first


def _downloads(page: Page, base_url: str, ocid: str, release_ids: list[str], tmp_path: Path) -> None:
    """The background rebuild has remade the downloads; the bulk package holds the process's releases, and declares
    an absolute uri and the extensions they use, so a review finds no errors in them."""
    page.goto(base_url + "/downloads/")
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        re.compile(r"Made (less than a minute|[1-9]\d*\s+minutes?) ago, at \d\d:\d\d on \d+ \w+ \d{4}\.")
    )
    expect(main).not_to_contain_text("The register has changed since these files were made")
    _screenshot(page, "truth-9-downloads")
    link = main.get_by_role("link", name=BULK_PACKAGE, exact=True).first
    with page.expect_download() as arriving:
        link.click()
    saved = tmp_path / BULK_PACKAGE
    arriving.value.save_as(saved)
    package = json.loads(gzip.decompress(saved.read_bytes()))
    assert package["uri"].startswith(base_url + "/"), package["uri"]
    assert package["uri"].endswith(BULK_PACKAGE), package["uri"]
    assert package["extensions"]
    assert all(url.startswith("https://") for url in package["extensions"]), package["extensions"]
    for key in ("publisher", "license", "publicationPolicy"):
        assert package.get(key), key
    ours = [release for release in package["releases"] if release["ocid"] == ocid]
    assert [release["id"] for release in ours] == release_ids or sorted(r["id"] for r in ours) == sorted(release_ids)
    # The process's releases, with the package's own metadata, reviewed as a reader would: no errors, no fields the
    # declared extensions lack.
    report = review(io.BytesIO(json.dumps({**package, "releases": ours}).encode()))
    errors = [finding.as_json() for finding in report.findings if finding.severity == "error"]
    assert errors == [], errors
    unknown = [finding.path for finding in report.findings if finding.check == "ocds.additional-field"]
    assert unknown == [], unknown


def _json_twin(page: Page, base_url: str, ocid: str) -> None:
    """The contract page's JSON twin: the same targets, the review's text and the month's figures, judged alike."""
    response = page.request.get(base_url + f"/contracts/{ocid}/?format=json")
    assert response.ok, response.status
    story = response.json()
    targets = {target["metric_id"]: target for target in story["promises"]["targets"]}
    for metric_id, title, target, _, better in TARGETS:
        assert targets[metric_id]["title"] == title, targets[metric_id]
        assert targets[metric_id]["amount"] == float(target), targets[metric_id]
        assert targets[metric_id]["better"] == better.split()[0].lower(), targets[metric_id]
        assert targets[metric_id]["unit_id"] == "P1", targets[metric_id]
    assert targets["sc-worker-pay-per-hour"]["amount"] == float(AGREED_PAY)
    assert [(review["title"], review["description"]) for review in story["reviews"]] == [(REVIEW_TITLE, REVIEW_TEXT)]
    judged = {
        group["metric_id"]: [(r["amount"], r["classification"]) for r in group["contracts"][0]["actuals"]]
        for group in story["metrics"]
    }
    for metric_id, title, _, _, _ in TARGETS:
        assert judged[metric_id] == [(float(FIGURES[metric_id]), RESULTS[title].lower())], judged
    assert judged["sc-worker-pay-per-hour"] == [(float(PAY), "below")], judged
    (pay,) = next(g for g in story["metrics"] if g["metric_id"] == "sc-worker-pay-per-hour")["contracts"][0]["actuals"]
    assert [(s["kind"], s["floor_name"], s["floor"]) for s in pay["shortfalls"]] == [
        ("promise", "Real Living Wage", 13.45)
    ]


def test_a_contract_s_targets_review_and_first_month_reach_every_page_the_api_the_feed_and_the_downloads(
    live_server, page: Page, settings, tmp_path
):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    settings.OPENCARE_SITE_URL = live_server.url
    # The downloads are remade after each publish, as the task worker does; the test's task backend runs it at once.
    settings.OPENCARE_BULK_REBUILD = True
    settings.OPENCARE_BULK_REBUILD_DELAY_SECONDS = 0
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    load_demo()
    create_demo_accounts()
    base = live_server.url

    _sign_in(page, base, "commissioner")
    ocid = _create_process(page, base)
    _publish_contract(page)
    _targets_before_any_figures(page, base, ocid)
    page.goto(base + "/publish/")
    page.get_by_role("link", name=COUNCIL.name, exact=True).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    _record_review(page)
    page.goto(base + f"/contracts/{ocid}/")
    expect(page.get_by_role("region", name="Interim reviews")).to_contain_text(REVIEW_TEXT)
    _sign_out(page, base)

    _sign_in(page, base, "provider")
    page.get_by_role("link", name=MOORSIDE.name, exact=True).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    before_the_month = datetime.now(UTC).replace(microsecond=0)
    _enter_the_month(page)
    _sign_out(page, base)

    _contract_page_after_the_month(page, base, ocid)
    _easy_read_after_the_month(page, base, ocid)
    release_ids = _api_record(page, base, ocid)
    _feed(page, base, ocid, before_the_month)
    _downloads(page, base, ocid, release_ids, tmp_path)
    _json_twin(page, base, ocid)
