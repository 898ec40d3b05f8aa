"""Playwright drives the machine's Chromium (Debian's packages); Playwright's own browser download is not used."""

from __future__ import annotations

import os
import shutil

import pytest

# Sync Playwright runs an event loop for the whole session in this thread, and database fixtures set up while it
# runs; without this Django refuses their ORM calls. Tests that start Django in a subprocess remove it from the
# subprocess's environment (it must never reach a deployment check).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: Debian's chromium-headless-shell first: the same Chromium, built to run without a screen, it drove the browser
#: tests with 28% less CPU than the full browser in headless mode (docs/decisions/0033-a-suite-in-eight-minutes.md).
#: The full browser (`chromium`) still works, and CHROMIUM_PATH names any other.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium-headless-shell") or shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test; without Chromium, skip them (and fail in CI)."""
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError("CI=true but Chromium is not installed: browser tests cannot run.")
                reason = "Chromium is not installed (apt-get install chromium-headless-shell)."
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


#: How Chromium words a Content-Security-Policy violation in the console ("Refused to execute inline script because
#: it violates the following Content Security Policy directive: ..."), and how our own listener words it.
CSP_VIOLATION = "Content Security Policy"
#: Reports every violation the page sees, even one Chromium does not print (an init script is not subject to the CSP).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const what = event.blockedURI || "inline";
  const where = `${event.sourceFile || event.documentURI}:${event.lineNumber}`;
  console.error(`Content Security Policy violation: ${event.effectiveDirective} blocked ${what} at ${where}`);
});
"""


@pytest.fixture(autouse=True)
def csp_violations(browser, monkeypatch: pytest.MonkeyPatch):
    """The Content-Security-Policy violations of every page the test opens, in any context; the test fails on any.

    A future inline script, inline style or outside resource therefore breaks a browser test, not the page for people.
    A test that provokes a violation on purpose empties the list before it ends.
    """
    seen: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_VIOLATIONS)

        def on_console(message) -> None:
            if CSP_VIOLATION in message.text:
                seen.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield seen
    if seen:
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(dict.fromkeys(seen)))
