"""Harvesting against a local server replaying the real recorded pages: paging, waits, retries, refusals,
resuming and idempotence, with the client's clock injected so no test really sleeps."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import orjson
import pytest
from django.utils import timezone

from opencare.harvest.models import HarvestProgress, HarvestRun
from opencare.harvest.services import HarvestRequest, harvest
from opencare.harvest.sources import RateLimit
from opencare.registry.models import Release, Source

from .replay import PCS, S2W, FakeClock, Replay, Scripted, cf_pages, fts_pages, load, ocids

pytestmark = pytest.mark.django_db
SINCE = datetime(2026, 9, 3, 0, 0, tzinfo=UTC)
SIX_HOURS = SINCE + timedelta(hours=6)


def run(server: Replay, source: str = "find-a-tender", clock: FakeClock | None = None, **options) -> HarvestRun:
    clock = clock or FakeClock()
    rate_limit = options.pop("rate_limit", None)
    second_process = options.pop("second_process", False)  # the clock's sleeps are seen only in this process
    attempts = options.pop("attempts", 5)
    request = HarvestRequest(source, base_url=server.base_url, **{"since": SINCE, "until": SIX_HOURS, **options})
    return harvest(
        request,
        rate_limit=rate_limit,
        clock=clock,
        sleep=clock.sleep,
        second_process=second_process,
        attempts=attempts,
    )


def stored() -> set[tuple[str, str]]:
    return set(Release.objects.values_list("ocid", "release_id"))


def test_find_a_tender_pages_are_followed_by_links_next_to_the_last_and_every_release_stored():
    pages = fts_pages()
    with Replay(pages, prefix="/api/1.0") as server:
        result = run(server)
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert (result.pages, result.requests, result.added) == (3, 3, 5)
    assert stored() == ocids(pages)
    first = server.seen[0]
    assert first.startswith("/api/1.0/ocdsReleasePackages?updatedFrom=2026-09-03T00:00:00Z")
    assert "updatedTo=2026-09-03T06:00:00Z" in first
    assert "limit=100" in first
    assert [path.rsplit("cursor=", 1)[-1] for path in server.seen[1:]] == ["1", "2"]
    # Stored as an import would: under the publisher the package names, with its licence; no cursor kept.
    source = Source.objects.filter(releases__isnull=False).distinct().get()
    assert source.publisher_name == "Cabinet Office"
    assert "open-government-licence" in source.licence_url
    assert "links" not in Release.objects.first().package_metadata


def test_contracts_finder_real_pages_are_paged_by_their_cursor():
    pages = cf_pages()
    with Replay(pages) as server:
        result = run(server, "contracts-finder", since=SINCE, until=SINCE + timedelta(days=15))
    assert result.errors == []
    assert (result.status, result.pages, result.added) == (HarvestRun.Status.SUCCEEDED, 2, len(ocids(pages)))
    assert server.seen[0].startswith("/Published/Notices/OCDS/Search?limit=100&publishedFrom=2026-09-03T00:00:00Z")
    assert "cursor=1" in server.seen[1]
    assert "publishedTo=" in server.seen[1]


def test_a_second_harvest_of_the_same_window_adds_nothing():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        first = run(server)
        second = run(server)
    assert first.added == 5
    assert (second.status, second.added, second.already_stored) == (HarvestRun.Status.SUCCEEDED, 0, 5)
    assert Release.objects.count() == 5


def test_a_429_with_retry_after_is_waited_out_then_the_page_fetched():
    clock = FakeClock()
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(429, {"Retry-After": "7"}))
        result = run(server, clock=clock)
    assert clock.sleeps == [7.0]
    assert (result.status, result.requests, result.added) == (HarvestRun.Status.SUCCEEDED, 4, 5)


def test_a_503_is_retried_after_its_retry_after_and_one_without_after_the_source_default():
    clock = FakeClock()
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.extend([Scripted(503, {"Retry-After": "3"}), Scripted(503)])
        result = run(server, clock=clock)
    assert clock.sleeps == [3.0, 60.0]
    assert (result.status, result.added) == (HarvestRun.Status.SUCCEEDED, 5)


def test_server_errors_and_broken_connections_back_off_exponentially():
    clock = FakeClock()
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.extend([Scripted(500), Scripted(break_connection=True), Scripted(502)])
        result = run(server, clock=clock)
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert result.added == 5


def test_a_source_that_keeps_failing_is_given_up_with_a_clear_message_and_nothing_stored():
    clock = FakeClock()
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.extend([Scripted(500)] * 5)
        result = run(server, clock=clock)
    assert result.status == HarvestRun.Status.FAILED
    assert result.requests == 5
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0]
    (message,) = result.errors
    assert "Could not read Find a Tender at http://127.0.0.1" in message
    assert "HTTP 500" in message
    assert "How to fix it" in message
    assert Release.objects.count() == 0


def test_a_links_next_to_another_host_is_refused_after_storing_its_page_and_the_harvest_stops_there():
    pages = fts_pages()
    pages[0]["links"] = {"next": "https://attacker.example/api/1.0/ocdsReleasePackages?cursor=1"}
    with Replay(pages, prefix="/api/1.0") as server:
        server.answer = lambda path, query: pages[0]  # every request gets the page with the foreign link
        result = run(server)
    assert result.status == HarvestRun.Status.PARTLY_FAILED
    assert server.seen
    assert all("attacker" not in path for path in server.seen)
    assert result.requests == 1
    assert result.added == 2
    assert any("https://attacker.example" in error and "was not followed" in error for error in result.errors)
    progress = HarvestProgress.objects.get(source="find-a-tender")
    assert progress.done_until is None
    assert progress.next_url.startswith(server.origin)


def test_the_rate_limit_is_kept_in_every_window_of_time():
    clock = FakeClock()
    sent: list[float] = []
    pages = fts_pages() + fts_pages()  # six pages
    with Replay(pages, prefix="/api/1.0") as server:
        server.on_request = lambda: sent.append(clock.now)
        result = run(server, clock=clock, rate_limit=RateLimit(2, 10))
    assert result.requests == 6
    assert all(sum(1 for t in sent if start <= t < start + 10) <= 2 for start in sent)
    assert sent[-1] - sent[0] >= 20  # six requests, two per ten seconds: at least twenty seconds


def test_find_a_tenders_own_limit_is_12_requests_in_2_minutes():
    clock = FakeClock()
    sent: list[float] = []
    pages = fts_pages() * 5  # fifteen pages
    with Replay(pages, prefix="/api/1.0") as server:
        server.on_request = lambda: sent.append(clock.now)
        request = HarvestRequest("find-a-tender", since=SINCE, until=SIX_HOURS, base_url=server.base_url)
        harvest(request, clock=clock, sleep=clock.sleep)
    assert len(sent) == 15
    assert all(sum(1 for t in sent if start <= t < start + 120) <= 12 for start in sent)


def test_windows_are_six_hours_for_find_a_tender_and_progress_is_the_end_of_the_last_one_finished():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        result = run(server, until=SINCE + timedelta(hours=15))
    firsts = [path for path in server.seen if "cursor" not in path]
    assert [path.split("updatedFrom=")[1][:19] for path in firsts] == [
        "2026-09-03T00:00:00", "2026-09-03T06:00:00", "2026-09-03T12:00:00",
    ]  # fmt: skip
    assert "updatedTo=2026-09-03T15:00:00Z" in firsts[-1]
    assert result.added == 5
    assert result.already_stored == 10
    assert HarvestProgress.objects.get(source="find-a-tender").done_until == SINCE + timedelta(hours=15)


def test_without_since_a_harvest_goes_on_from_where_the_last_one_stopped():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        run(server)
        server.seen.clear()
        later = run(server, since=None, until=SIX_HOURS + timedelta(hours=1))
    assert later.window_start == SIX_HOURS
    assert "updatedFrom=2026-09-03T06:00:00Z" in server.seen[0]


def test_the_first_harvest_without_since_covers_the_last_seven_days():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.answer = lambda path, query: {"releases": [], "links": {}}
        result = run(server, since=None, until=None)
    assert timedelta(days=7) - (result.window_end - result.window_start) < timedelta(minutes=1)
    assert len(server.seen) == 28  # 7 days of 6-hour windows


def test_a_harvest_stopped_part_way_resumes_at_the_page_after_the_last_stored_with_nothing_lost_or_doubled():
    pages = cf_pages() + fts_pages()
    with Replay(pages) as server:
        server.script.extend([Scripted(200, body=server.page_body(0))] + [Scripted(500)] * 5)
        # Page 0 stored; page 1 fails five times: the harvest stops there.
        stopped = run(server, "contracts-finder", until=SINCE + timedelta(days=1))
        assert stopped.status == HarvestRun.Status.PARTLY_FAILED
        assert stopped.pages == 1
        progress = HarvestProgress.objects.get(source="contracts-finder")
        assert progress.window_start == SINCE
        assert "cursor=1" in progress.next_url
        server.seen.clear()
        resumed = run(server, "contracts-finder", until=SINCE + timedelta(days=1))
    assert "cursor=1" in server.seen[0]  # not the window's first page again
    assert resumed.status == HarvestRun.Status.SUCCEEDED
    assert resumed.already_stored == 0
    assert stored() == ocids(pages)
    assert Release.objects.count() == len(ocids(pages))


def test_public_contracts_scotland_asks_each_notice_type_for_the_month_and_takes_packages_without_releases():
    package = load(PCS)
    with Replay([]) as server:
        server.answer = lambda path, query: package if query["noticeType"] == ["2"] else {"uri": "x", "version": "1.1"}
        result = run(server, "public-contracts-scotland", since=datetime(2019, 3, 1, tzinfo=UTC),
                     until=datetime(2019, 4, 1, tzinfo=UTC))  # fmt: skip
    types = [path.split("noticeType=")[1] for path in server.seen]
    assert types == [str(t) for t in (1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 101, 102, 103, 104)]
    assert all("dateFrom=03-2019" in path and "outputType=0" in path for path in server.seen)
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert result.added == len(package["releases"])  # releases without an id are stored too


def test_sell2wales_goes_month_by_month():
    package = load(S2W)
    with Replay([]) as server:
        server.answer = lambda path, query: package if query["dateFrom"] == ["02-2025"] else {"releases": []}
        result = run(server, "sell2wales", since=datetime(2025, 1, 15, tzinfo=UTC),
                     until=datetime(2025, 3, 2, tzinfo=UTC))  # fmt: skip
    months = sorted({path.split("dateFrom=")[1][:7] for path in server.seen})
    assert months == ["01-2025", "02-2025", "03-2025"]
    assert len(server.seen) == 3 * 23  # 17 OJEU forms and Sell2Wales' 6 own notice types, each month
    assert result.added == len(ocids([package])) or result.added == len(package["releases"])


def test_social_care_only_keeps_the_social_care_processes_as_import_does():
    from opencare.ocds.social_care import is_social_care

    pages = cf_pages()
    expected = {r["ocid"] for page in pages for r in page["releases"] if is_social_care(r)}
    with Replay(pages) as server:
        result = run(server, "contracts-finder", social_care_only=True)
    assert {ocid for ocid, _ in stored()} == expected
    assert result.not_social_care == sum(len(page["releases"]) for page in pages) - result.added


def test_a_release_the_database_cannot_hold_is_left_out_with_an_error_and_the_rest_stored():
    pages = fts_pages()
    pages[1]["releases"][0]["ocid"] = "ocds-h6vhtk-\u0000"
    with Replay(pages, prefix="/api/1.0") as server:
        result = run(server)
    assert result.status == HarvestRun.Status.PARTLY_FAILED
    assert result.added == 4
    assert len(result.errors) == 1
    assert "release 1 of the page" in result.errors[0]


def test_a_page_that_is_not_json_stops_the_harvest_with_a_message_naming_the_page():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(200, body=b'{"releases": [{"ocid": '))
        result = run(server)
    assert result.status == HarvestRun.Status.FAILED
    assert "gave a page that cannot be read" in result.errors[0]
    assert "not valid JSON" in result.errors[0]


def test_two_harvests_of_one_source_never_run_at_once():
    running = HarvestRun.objects.create(source="find-a-tender")
    HarvestProgress.objects.create(
        source="find-a-tender", held_by_run=running.pk, held_until=timezone.now() + timedelta(minutes=5),
        held_by_host=socket.gethostname(), held_by_pid=os.getpid(),
    )  # fmt: skip
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        skipped = run(server)
    assert skipped.status == HarvestRun.Status.SKIPPED
    assert "Another harvest of Find a Tender" in skipped.errors[0]
    assert server.seen == []
    assert Release.objects.count() == 0
    assert HarvestProgress.objects.get(source="find-a-tender").held_by_run == running.pk


def test_a_hold_left_by_a_harvest_that_died_on_this_machine_or_ran_out_is_taken_over():
    finished = subprocess.Popen(["true"])
    finished.wait()
    for pid, until in [(finished.pid, timezone.now() + timedelta(minutes=5)), (os.getpid(), timezone.now())]:
        HarvestProgress.objects.update_or_create(source="find-a-tender", defaults={
            "held_by_run": 999, "held_until": until, "held_by_host": socket.gethostname(), "held_by_pid": pid,
        })  # fmt: skip
        with Replay(fts_pages(), prefix="/api/1.0") as server:
            result = run(server)
        assert result.status == HarvestRun.Status.SUCCEEDED, result.errors
        assert HarvestProgress.objects.get(source="find-a-tender").held_by_run is None


def test_with_no_rate_limit_pages_are_prepared_by_a_second_process_and_stored_the_same():
    pages = cf_pages() + fts_pages()
    with Replay(pages) as server:
        request = HarvestRequest("contracts-finder", since=SINCE, until=SINCE + timedelta(days=1),
                                 base_url=server.base_url)  # fmt: skip
        result = harvest(request, rate_limit=None)  # a second process, by default, with no rate limit
    assert result.errors == []
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert (result.pages, result.requests, result.releases_read) == (5, 5, 205)
    assert stored() == ocids(pages)
    assert HarvestProgress.objects.get(source="contracts-finder").done_until == SINCE + timedelta(days=1)


def test_in_a_second_process_a_stop_part_way_and_a_refused_link_are_stored_and_resumed_as_in_one():
    pages = cf_pages() + fts_pages()
    pages[2]["releases"][0]["ocid"] = "ocds-h6vhtk-\u0000"
    pages[3]["links"] = {"next": "https://attacker.example/Published/Notices/OCDS/Search?cursor=4"}
    with Replay(pages) as server:
        server.script.extend([Scripted(200, body=server.page_body(0))] + [Scripted(500)] * 2)
        stopped = run(server, "contracts-finder", second_process=True, attempts=2)
        assert stopped.status == HarvestRun.Status.PARTLY_FAILED
        assert stopped.pages == 1
        server.answer = lambda path, query: orjson.loads(server.page_body(int(query["cursor"][0]))) if \
            query["cursor"][0] != "3" else pages[3]  # fmt: skip
        refused = run(server, "contracts-finder", second_process=True)
    assert refused.status == HarvestRun.Status.PARTLY_FAILED
    assert refused.pages == 3  # pages 1, 2 and 3, whose link onward was refused
    assert any("release 1 of the page" in error for error in refused.errors)
    assert any("attacker.example" in error for error in refused.errors)
    assert stored() == ocids(pages[:4]) - {("ocds-h6vhtk-\u0000", pages[2]["releases"][0]["id"])}
    assert "cursor=3" in HarvestProgress.objects.get(source="contracts-finder").next_url


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body>Service unavailable</body></html>", "The data starts with '<'"),
        (b'{"releases": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nest"),
        (b"[1, 2, 3]", "release"),
    ],
    ids=["an HTML page", "nesting 10,000 deep", "an array of numbers"],
)
def test_a_page_that_is_no_release_package_stops_the_harvest_with_a_message_and_nothing_stored(body, words):
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(200, body=body))
        result = run(server)
    assert result.status == HarvestRun.Status.FAILED
    (message,) = result.errors
    assert "gave a page that cannot be read" in message
    assert words in message
    assert Release.objects.count() == 0


def test_a_redirect_to_another_host_is_not_followed():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(302, {"Location": "https://attacker.example/steal"}))
        result = run(server)
    assert result.status == HarvestRun.Status.FAILED
    assert "redirected to https://attacker.example/steal" in result.errors[0]
    assert len(server.seen) == 1


def test_a_redirect_on_the_same_host_is_followed():
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(302, {"Location": server.base_url + "/ocdsReleasePackages?cursor=0"}))
        result = run(server)
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert result.added == 5


def test_a_retry_after_given_as_a_date_is_waited_until_then():
    clock = FakeClock()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(429, {"Retry-After": when}))
        result = run(server, clock=clock)
    assert 25 <= clock.sleeps[0] <= 30
    assert result.added == 5


def test_a_retry_after_longer_than_15_minutes_stops_the_harvest_and_says_so():
    clock = FakeClock()
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(429, {"Retry-After": "3600"}))
        result = run(server, clock=clock)
    assert clock.sleeps == []
    assert result.status == HarvestRun.Status.FAILED
    assert "asks for a wait of 3,600 seconds" in result.errors[0]


def test_a_fault_that_is_not_the_sources_is_recorded_on_the_run_and_raised(monkeypatch):
    from opencare.harvest import services

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(services, "import_releases", broken)
    with Replay(fts_pages(), prefix="/api/1.0") as server, pytest.raises(RuntimeError):
        run(server)
    failed = HarvestRun.objects.get()
    assert failed.status == HarvestRun.Status.FAILED
    assert failed.errors == ["The harvest stopped unexpectedly: RuntimeError: the disk is on fire"]
    assert failed.finished_at is not None
    assert HarvestProgress.objects.get(source="find-a-tender").held_by_run is None


def _with_1e9999(text: bytes) -> bytes:
    """The page as Find a Tender has published one: its first contract's amount beyond the range of a double."""
    first = re.search(rb'"contracts":\[\{.*?"amount":([0-9.]+)', text)
    assert first is not None
    return text[: first.start(1)] + b"1e9999" + text[first.end(1) :]


def test_a_page_holding_1e9999_is_stored_whole_with_the_error_recorded_at_its_path():
    pages = fts_pages()
    with Replay(pages, prefix="/api/1.0") as server:
        server.script.append(Scripted(200, body=_with_1e9999(server.page_body(0))))
        result = run(server)
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert stored() == ocids(pages)
    (damaged,) = [release for release in Release.objects.all() if "1e9999" in orjson.dumps(release.data).decode()]
    assert damaged.schema_errors[0]["pointer"].endswith("/value/amount")
    assert "1e9999" in damaged.schema_errors[0]["message"]


def test_a_record_package_page_has_its_releases_stored_as_import_stores_them():
    pages = fts_pages()
    records = {"records": [{"ocid": release["ocid"], "releases": [release]} for release in pages[0]["releases"]]}
    with Replay(pages, prefix="/api/1.0") as server:
        server.script.append(Scripted(200, body=orjson.dumps({**records, "links": {}})))
        result = run(server)
    assert result.status == HarvestRun.Status.SUCCEEDED
    assert stored() == ocids(pages[:1])
