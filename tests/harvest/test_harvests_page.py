"""The administrators' harvest page: each source's progress and recent runs, a source failing three runs in a row
flagged in words, and nobody but site administrators learns it exists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from opencare.accounts.roles import ADMINISTRATORS, MODERATORS
from opencare.harvest.models import HarvestProgress, HarvestRun

pytestmark = pytest.mark.django_db
URL = "/harvests/"


def account(username: str, *groups: str):
    user = get_user_model().objects.create_user(username=username, password="x" * 20)
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in groups))
    return user


def runs(source: str, *statuses: str) -> None:
    """Runs of the source, oldest first."""
    for status in statuses:
        HarvestRun.objects.create(
            source=source, status=status, requests=4, added=7, window_start=datetime(2026, 9, 3, tzinfo=UTC),
            window_end=datetime(2026, 9, 3, 6, tzinfo=UTC),
            errors=["Could not read Find a Tender at https://x: HTTP 500"] if status != "succeeded" else [],
        )  # fmt: skip


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/account/" in response["Location"]


@pytest.mark.parametrize("groups", [(), (MODERATORS,)])
def test_anyone_signed_in_but_an_administrator_is_told_there_is_no_such_page(client, groups):
    client.force_login(account("someone", *groups))
    assert client.get(URL).status_code == 404
    assert client.get(URL + "?format=json").status_code == 404
    assert client.post(URL).status_code == 405


def test_administrators_see_each_source_its_progress_and_its_recent_runs(client, settings):
    settings.OPENCARE_HARVEST = ["find-a-tender"]
    HarvestProgress.objects.create(source="find-a-tender", done_until=datetime(2026, 9, 3, 6, tzinfo=UTC))
    runs("find-a-tender", "succeeded")
    client.force_login(account("admin", ADMINISTRATORS))
    page = client.get(URL).content.decode()
    for title in ("Find a Tender", "Contracts Finder", "Public Contracts Scotland", "Sell2Wales"):
        assert title in page
    assert "3 Sep 2026 07:00" in page  # harvested up to 06:00 UTC, shown in UK time (BST)
    assert "Never harvested" in page
    assert "Succeeded" in page
    assert "has failed" not in page


def test_a_source_failing_three_runs_in_a_row_is_flagged_in_words(client):
    runs("find-a-tender", "succeeded", "failed", "partly_failed", "failed")
    runs("contracts-finder", "failed", "failed", "succeeded")  # failed twice, then recovered: not flagged
    client.force_login(account("admin", ADMINISTRATORS))
    page = " ".join(client.get(URL).content.decode().split())
    assert page.count("has failed its last") == 1
    assert "This source has failed its last 3 harvests in a row" in page
    assert "HTTP 500" in page
    twin = client.get(URL + "?format=json").json()
    failing = {source["source"]: source["failing"] for source in twin["sources"]}
    assert failing == {"find-a-tender": True, "contracts-finder": False, "public-contracts-scotland": False,
                       "sell2wales": False}  # fmt: skip
    (fts,) = [source for source in twin["sources"] if source["source"] == "find-a-tender"]
    assert [run["status"] for run in fts["runs"]] == ["failed", "partly_failed", "failed", "succeeded"]
    assert fts["runs"][0]["requests"] == 4
