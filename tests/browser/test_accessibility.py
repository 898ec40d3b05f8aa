"""Every page type is accessible (axe-core, WCAG 2.2 AA) and fits a 320 px wide screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opencare.demo.services import load_demo
from opencare.registry.bulk import write_bulk_downloads
from opencare.registry.models import Process

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _page_paths() -> dict[str, str]:
    invented = Process.objects.filter(is_invented=True).first()
    real = Process.objects.filter(is_invented=False).first()
    return {
        "home": "/",
        "contracts": "/contracts/",
        "invented contract": f"/contracts/{invented.ocid}/",
        "real contract": f"/contracts/{real.ocid}/",
        "data standard": "/data-standard/",
        "about the data": "/about-the-data/",
        "downloads": "/downloads/",
    }


def _axe_problems(page: Page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in result["violations"]]
    # axe files some contrast failures as 'incomplete'; they are real failures for our users.
    problems += [f"incomplete {v['id']}" for v in result["incomplete"] if v["id"] == "color-contrast"]
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["home", "contracts", "invented contract", "real contract", "data standard",
                                  "about the data", "downloads"])  # fmt: skip
def test_page_has_no_accessibility_problems_and_no_sideways_scroll_at_320px(
    live_server, page: Page, name: str, settings, tmp_path
):
    load_demo()
    if name == "downloads":
        settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
        write_bulk_downloads()
    path = _page_paths()[name]
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if name == "data standard":
        for details in page.locator("details").all()[:3]:
            details.locator("summary").click()  # check opened tables too
    assert _axe_problems(page) == []

    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} is {scroll_width}px wide at a 320px viewport"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name.replace(' ', '-')}-320.png", full_page=False)


@pytest.mark.django_db(transaction=True)
def test_a_person_finds_an_invented_contract_from_the_home_page(live_server, page: Page):
    load_demo()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Find a care contract").click()
    page.get_by_role("link", name="Home care in South Borsetdale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home care in South Borsetdale")
    expect(page.get_by_text("This contract is invented sample data")).to_be_visible()
