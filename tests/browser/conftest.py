"""Playwright drives the machine's Chromium (Debian's package); Playwright's own browser download is not used."""

from __future__ import annotations

import os
import shutil

import pytest

# Sync Playwright runs an event loop for the whole session in this thread, and database fixtures set up while it
# runs; without this Django refuses their ORM calls. Tests that start Django in a subprocess remove it from the
# subprocess's environment (it must never reach a deployment check).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test; without Chromium, skip them (and fail in CI)."""
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError("CI=true but Chromium is not installed: browser tests cannot run.")
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)."))


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
