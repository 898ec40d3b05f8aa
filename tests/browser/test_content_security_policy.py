"""Pages work under the site's Content-Security-Policy, and the browser tests notice when something breaks it.

Every browser test fails on a CSP violation (the csp_violations fixture in conftest.py); these tests look at the pages
the policy could most easily break: Swagger UI at /api/docs, the charts, and GOV.UK Frontend's own script.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opencare.demo.services import load_demo

SOUTH = "ocds-bdemo1-hc-south"


def test_the_api_documentation_page_works_under_the_policy(live_server, page: Page):
    response = page.goto(live_server.url + "/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("opencare API")
    operation = page.locator(".opblock-summary").filter(has_text="/api/review").first
    operation.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    expect(page.locator(".opblock-body")).to_contain_text("Check OCDS data against the standard")


@pytest.mark.django_db(transaction=True)
def test_a_contract_page_runs_govuk_frontend_and_shows_its_charts_under_the_policy(live_server, page: Page):
    load_demo()
    response = page.goto(f"{live_server.url}/contracts/{SOUTH}/")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    # The GOV.UK Frontend snippet (now a static file) ran before the page was drawn, and its modules started.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b.*\bgovuk-frontend-supported\b"))
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    charts = page.locator("img.opencare-chart")
    assert charts.count() > 0
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        # Each chart is drawn on its first request, which a busy machine takes a while over.
        expect(chart).to_have_js_property("complete", True, timeout=30_000)
        assert chart.evaluate("image => image.naturalWidth") > 0, chart.get_attribute("src")


def test_an_inline_script_is_refused_and_the_violation_is_noticed(live_server, page: Page, csp_violations):
    """The control for every other browser test: what the policy refuses is refused, and the watcher sees it."""
    page.goto(live_server.url + "/api/docs")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            const styled = document.createElement("p");
            styled.setAttribute("style", "color: red");
            document.body.append(styled);
        }"""
    )
    assert page.evaluate("window.injected") is None
    for _ in range(40):  # console messages reach Playwright a moment after the page sends them
        if sum(directive in " ".join(csp_violations) for directive in ("script-src", "style-src")) == 2:
            break
        page.wait_for_timeout(50)
    assert any("script-src" in message for message in csp_violations), csp_violations
    assert any("style-src" in message for message in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose: not a failure of this test


@pytest.mark.django_db(transaction=True)
def test_the_django_admin_works_under_the_policy(live_server, page: Page, django_user_model):
    """Administrators manage accounts there: its scripts (the permissions picker among them) are its own files."""
    django_user_model.objects.create_superuser("csp-administrator", password="a long and unusual passphrase 7")
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("csp-administrator")
    page.get_by_label("Password").fill("a long and unusual passphrase 7")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(live_server.url + "/admin/auth/group/add/")
    expect(page.locator("#id_permissions_from")).to_be_visible()  # the two-box picker, drawn by the admin's script
    page.goto(live_server.url + "/admin/auth/user/")
    expect(page.get_by_role("link", name="csp-administrator")).to_be_visible()
