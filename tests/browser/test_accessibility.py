"""Every page type is accessible (axe-core, WCAG 2.2 AA) and fits a 320 px wide screen."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opencare.demo.services import load_demo
from opencare.registry.bulk import write_bulk_downloads
from opencare.registry.imports import import_paths
from opencare.registry.models import Organisation, Process

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SOUTH = "ocds-bdemo1-hc-south"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: A made UK7 + UK9 pair (tests/fixtures/procurement_act/README.md) and a real light-touch Find a Tender release.
UK7 = FIXTURES / "procurement_act" / "uk7-contract-details-made.json"
UK9 = FIXTURES / "procurement_act" / "uk9-contract-performance-made.json"
UK9_OCID = "ocds-h6vhtk-0c0de9"
FTS_REAL = FIXTURES / "realdata" / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"
LIGHT_TOUCH_REAL = "ocds-h6vhtk-06f19e"
BORSETDALE = ("ocds-bdemo1-hc-north", "ocds-bdemo1-hc-south", "ocds-bdemo1-hc-dales")


def _page_paths() -> dict[str, str]:
    invented = Process.objects.filter(is_invented=True).first()
    real = Process.objects.filter(is_invented=False).first()
    council = Organisation.objects.get(name="Borsetdale Council (invented sample)")
    provider = Organisation.objects.get(name="Brightwater Home Care Ltd (invented)")
    return {
        "home": "/",
        "contracts": "/contracts/",
        "contracts filtered": "/contracts/?service_type=home-care&signal=below",
        "contracts invalid date": "/contracts/?running_from=2025-13-45",
        "invented contract": f"/contracts/{invented.ocid}/",
        "contract with metrics": f"/contracts/{SOUTH}/",
        "easy read": f"/contracts/{SOUTH}/easy-read/",
        "real contract": f"/contracts/{real.ocid}/",
        "council": f"/organisations/{council.pk}/",
        "provider": f"/organisations/{provider.pk}/",
        "organisations": "/organisations/",
        "compare blank": "/compare/",
        "compare three contracts": "/compare/?" + "&".join(f"ocid={ocid}" for ocid in BORSETDALE),
        "compare a service": "/compare/?service_type=home-care",
        "glossary": "/glossary/",
        "data standard": "/data-standard/",
        "about the data": "/about-the-data/",
        "downloads": "/downloads/",
        "feedback form": f"/contracts/{SOUTH}/feedback/",
        "moderation policy": "/feedback/moderation-policy/",
        "check your data": "/review/",
    }


# The status each page answers with: a search with an impossible date is a 400 with an error summary.
STATUS = {"contracts invalid date": 400}


def _wait_for_images(page: Page) -> None:
    """Load the lazy chart images, so axe and the 320 px check see the page as a reader who scrolled through it would.

    Every lazy image is told to load at once, in one call, and all are awaited together: scrolling to each in turn
    took a round trip to the browser per image (half a second on the easy read page's pictures).
    """
    # Functions, not strings: Playwright eval()s a string in the page, which the Content-Security-Policy refuses.
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(image => { image.loading = 'eager' })")
    page.wait_for_function("() => [...document.images].every(image => image.complete)")


@functools.cache
def _axe_script() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"


#: Every WCAG rule is run on the whole page; only what can fail a test (violations, and incomplete results) is
#: gathered node by node and sent back. axe's passes and inapplicable rules are still computed, but keep one node
#: each (its `resultTypes` option): building a unique selector for every passing node, and sending them all through
#: the DevTools protocol, took most of axe's time on long pages (the data standard's 768 table rows).
AXE_RUN = """tags => axe
  .run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']})
  .then(result => ({violations: result.violations, incomplete: result.incomplete}))"""


def _axe_problems(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern; a <script>
    # tag with axe inline would be (rightly) refused by it. Injected once per page load (a second check of the same
    # page, at another width, finds it there).
    if not page.evaluate("() => typeof axe === 'object'"):
        page.evaluate(_axe_script())
    result = page.evaluate(AXE_RUN, WCAG_TAGS)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in result["violations"]]
    # axe files some contrast failures as 'incomplete'; they are real failures for our users.
    problems += [
        f"incomplete {v['id']}: " + "; ".join(f"{node['target']} {node['failureSummary']}" for node in v["nodes"][:3])
        for v in result["incomplete"]
        if v["id"] == "color-contrast"
    ]
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", [
    "home", "contracts", "contracts filtered", "contracts invalid date", "invented contract", "contract with metrics",
    "easy read", "real contract", "council", "provider", "organisations", "compare blank", "compare three contracts",
    "compare a service", "glossary", "data standard", "about the data", "downloads", "feedback form",
    "moderation policy", "check your data",
])  # fmt: skip
def test_page_in_english_and_welsh_has_no_accessibility_problems_at_1280px_and_320px_and_no_sideways_scroll(
    live_server, page: Page, name: str, settings, tmp_path
):
    load_demo()
    if name == "downloads":
        settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
        write_bulk_downloads()
    path = _page_paths()[name]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for prefix, language in (("", "en-gb"), ("/cy", "cy")):
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(live_server.url + prefix + path)
        assert response.status == STATUS.get(name, 200)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if name == "data standard":
            for details in page.locator("details").all()[:3]:
                details.locator("summary").click()  # check opened tables too
        if name == "contracts invalid date":
            expect(page).to_have_title(re.compile(r"^(Error|Gwall):"))
            expect(page.locator(".govuk-error-summary")).to_be_visible()
        if name == "contract with metrics":
            expect(page.locator("details:not([open])").first).to_be_attached()  # some figures start closed
            page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
        _wait_for_images(page)
        shot = f"{name.replace(' ', '-')}-{language}"
        assert _axe_problems(page) == [], f"{prefix + path} at 1280px"
        page.screenshot(path=ARTIFACTS / f"{shot}-1280.png", full_page=False)

        page.set_viewport_size({"width": 320, "height": 640})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{prefix + path} is {scroll_width}px wide at a 320px viewport"
        assert _axe_problems(page) == [], f"{prefix + path} at 320px"
        page.screenshot(path=ARTIFACTS / f"{shot}-320.png", full_page=False)


def test_the_accessibility_check_reports_violations_and_low_contrast_and_checks_a_page_twice(page: Page):
    """The check every browser test relies on finds what it is for (so a quicker way of running axe cannot make it
    pass by finding nothing), and checking one page a second time, at another width, finds the same."""
    page.set_content(
        '<html lang="en"><head><title>Bad</title></head><body><main><h1>Bad page</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#ccc;background:#fff">Pale grey text on white</p></main></body></html>'
    )
    first = _axe_problems(page)
    assert any(problem.startswith("image-alt:") for problem in first), first
    assert any(problem.startswith("color-contrast:") for problem in first), first
    page.set_viewport_size({"width": 320, "height": 640})
    assert _axe_problems(page) == first


@pytest.mark.django_db(transaction=True)
def test_a_person_finds_an_invented_contract_from_the_home_page(live_server, page: Page):
    load_demo()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Home care", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a care contract")
    page.get_by_role("link", name="Home care in South Borsetdale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home care in South Borsetdale")
    expect(page.get_by_text("This contract is invented sample data")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_uk9_notice_renders_as_official_ratings_with_no_accessibility_problems(live_server, page: Page):
    import_paths([UK7, UK9])
    page.goto(f"{live_server.url}/contracts/{UK9_OCID}/")

    section = page.locator("h3#official-ratings")
    expect(section).to_have_text("Official ratings under the Procurement Act 2023")
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Contract performance notice (UK9) published 22 April 2027")
    )
    expect(card).to_be_visible()
    for kpi, rating in (
        ("Equipment delivered on time", "Good"),
        ("Urgent deliveries the same day", "Approaching target"),
        ("Equipment collected when no longer needed", "Requires improvement"),
    ):
        row = card.locator(".govuk-summary-list__row").filter(has=page.get_by_text(kpi, exact=True))
        expect(row.locator(".govuk-tag")).to_have_text(rating)
    expect(page.get_by_text("covering 1 April 2026 to 31 March 2027")).to_be_visible()
    # The scale in words, opened as a reader would without any script.
    page.get_by_text("What the official ratings mean").click()
    expect(page.get_by_text("The provider was well below the KPI.")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("link", name="Contract performance notice (UK9)")).to_be_visible()
    expect(page.get_by_text("No co-designed figures are published for this contract")).to_be_visible()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "uk9-official-ratings.png", full_page=True)
    assert _axe_problems(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"the contract page is {scroll_width}px wide at a 320px viewport"
    page.screenshot(path=ARTIFACTS / "uk9-official-ratings-320.png", full_page=True)

    page.goto(f"{live_server.url}/contracts/{UK9_OCID}/easy-read/")
    expect(page.get_by_text("the council must give the provider an official rating every year")).to_be_visible()
    assert _axe_problems(page) == []


@pytest.mark.django_db(transaction=True)
def test_light_touch_contract_explains_why_there_are_no_official_ratings(live_server, page: Page):
    import_paths([FTS_REAL])
    page.goto(f"{live_server.url}/contracts/{LIGHT_TOUCH_REAL}/")
    expect(page.get_by_text("This is a light-touch contract", exact=False)).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("link", name="Contract details notice (UK7)")).to_be_visible()
    assert _axe_problems(page) == []


@pytest.mark.django_db(transaction=True)
def test_wide_tables_become_labelled_cards_on_a_phone_and_scroll_in_their_region_without_javascript(
    live_server, browser
):
    load_demo()
    phone = {"viewport": {"width": 320, "height": 640}}
    with_script = browser.new_context(**phone)
    page = with_script.new_page()
    page.goto(live_server.url + "/")
    table = page.locator(".opencare-table-scroll > table").first
    expect(table).to_have_class(re.compile("opencare-table--stacked"))
    expect(table.locator("tbody td").first).to_have_attribute("data-label", "Contract")
    expect(table.locator("tbody td").first).to_have_attribute("role", "cell")
    region = page.locator(".opencare-table-scroll").first
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    with_script.close()

    without_script = browser.new_context(java_script_enabled=False, **phone)
    page = without_script.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator(".opencare-table-scroll > table").first).not_to_have_class(re.compile("stacked"))
    assert page.locator(".opencare-table-scroll").first.evaluate("r => r.scrollWidth > r.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    without_script.close()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_menu_folds_behind_a_menu_button_and_opens_with_it(live_server, page: Page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    button = page.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Care contracts")).to_be_hidden()
    button.click()
    expect(page.get_by_role("link", name="Care contracts")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(button).to_be_hidden()
    expect(page.get_by_role("link", name="Care contracts")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_on_a_wide_screen_table_words_are_never_broken_mid_word(live_server, page: Page):
    load_demo()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    cells = page.locator(".opencare-table-scroll td.opencare-wrap")
    assert cells.count() > 0
    # Each word of each cell is on one line: a word broken across two lines has two client rects. (A line may break
    # after a hyphen, a dash or a slash: the parts either side are the words.)
    broken = cells.evaluate_all(
        """cells => cells.flatMap(cell => {
            const words = [];
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const node = walker.currentNode;
              for (const match of node.textContent.matchAll(/[^\\s\\-\u2010\u2013\u2014\\/]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
                if (lines.size > 1) words.push(match[0]);
              }
            }
            return words;
          })"""
    )
    assert broken == []
