"""The administrators' harvest page, signed in as a person would: accessible (axe-core, WCAG 2.2 AA), with a failing
source flagged in words, and no sideways scroll at 320 px."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from opencare.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from opencare.harvest.models import HarvestProgress, HarvestRun

from .test_accessibility import _axe_problems, _wait_for_images

LONG_ERROR = (
    "Could not read Find a Tender at https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?updatedFrom="
    "2026-09-03T00:00:00Z&updatedTo=2026-09-03T06:00:00Z&limit=100: HTTP 503 Service Unavailable. How to fix it: "
    "check the address (--base-url) and that the service is up, then run the harvest again"
)


@pytest.mark.django_db(transaction=True)
def test_the_harvests_page_is_accessible_flags_a_failing_source_and_fits_320px(live_server, page: Page):
    create_demo_accounts()
    HarvestProgress.objects.create(source="find-a-tender", done_until=datetime(2026, 9, 3, tzinfo=UTC))
    for _ in range(3):
        HarvestRun.objects.create(source="find-a-tender", status=HarvestRun.Status.FAILED, requests=5,
                                  window_start=datetime(2026, 9, 3, tzinfo=UTC),
                                  window_end=datetime(2026, 9, 3, 6, tzinfo=UTC), errors=[LONG_ERROR])  # fmt: skip
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_label("Username", exact=True).press_sequentially("administrator")
    page.get_by_label("Password", exact=True).press_sequentially(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/account/sign-in/" not in url)

    page.goto(live_server.url + "/publish/")
    page.get_by_role("link", name="Harvests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harvests")
    expect(page.get_by_text("This source has failed its last 3 harvests in a row")).to_be_visible()
    _wait_for_images(page)
    assert _axe_problems(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
