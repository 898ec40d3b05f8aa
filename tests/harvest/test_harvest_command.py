"""`opencare harvest` from a terminal, against the local replay server: exit status 0, 1 and 2 with clear messages
and never a traceback, and a harvest killed part-way (SIGKILL) that a second run completes, nothing lost or doubled."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .replay import Replay, Scripted, cf_pages, fts_pages, ocids

OPENCARE = Path(sys.executable).with_name("opencare")
WINDOW = ["--since", "2026-09-03", "--until", "2026-09-03T06:00"]


def environment(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "OPENCARE_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "opencare.config.settings",
           "OPENCARE_HARVEST_CONTACT": "data@example.org"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def harvest(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OPENCARE, "harvest", *arguments, "--no-bulk"], env=environment(tmp_path), capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip


def stored(tmp_path: Path) -> tuple[int, int]:
    """Releases stored, and (ocid, id) pairs stored more than once."""
    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        count = connection.execute("SELECT COUNT(*) FROM registry_release").fetchone()[0]
        doubled = connection.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM registry_release GROUP BY ocid, release_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    return count, doubled


@pytest.fixture
def a_site_already_set_up(tmp_path, migrated_sqlite) -> None:
    """The harvests below run on a site whose database is set up; the first one meets a brand-new database."""
    migrated_sqlite(tmp_path / "db.sqlite3")


def test_help_documents_every_option():
    result = subprocess.run([OPENCARE, "harvest", "--help"], capture_output=True, text=True, check=True)
    for option in ("--since DATE", "--until DATE", "--base-url URL", "--social-care", "--no-bulk", "Exit status"):
        assert option in result.stdout
    for source in ("find-a-tender", "contracts-finder", "public-contracts-scotland", "sell2wales"):
        assert source in result.stdout


def test_a_harvest_that_all_went_in_exits_0_and_says_what_it_added(tmp_path):
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        result = harvest(tmp_path, "find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert result.returncode == 0, result.stderr
    assert re.search(r"│ added\s+│\s+5 │", result.stdout)
    assert stored(tmp_path) == (5, 0)


@pytest.mark.usefixtures("a_site_already_set_up")
def test_user_agent_names_opencare_and_the_contact_address(tmp_path):
    agents: list[str] = []
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.on_request = lambda: None
        original = server._server.RequestHandlerClass.do_GET

        def recording(handler):
            agents.append(handler.headers["User-Agent"])
            original(handler)

        server._server.RequestHandlerClass.do_GET = recording
        harvest(tmp_path, "find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert agents
    assert all(agent.startswith("opencare/") and "(+data@example.org)" in agent for agent in agents)


@pytest.mark.usefixtures("a_site_already_set_up")
def test_a_harvest_with_some_errors_exits_1_and_lists_them(tmp_path):
    pages = fts_pages()
    pages[0]["links"] = {"next": "https://elsewhere.example/api/1.0/ocdsReleasePackages?cursor=1"}
    with Replay(pages, prefix="/api/1.0") as server:
        server.answer = lambda path, query: pages[0]
        result = harvest(tmp_path, "find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert result.returncode == 1, result.stderr
    message = " ".join(result.stderr.split())
    assert "https://elsewhere.example" in message
    assert "was not followed" in message
    assert "Traceback" not in result.stderr
    assert stored(tmp_path) == (2, 0)


@pytest.mark.usefixtures("a_site_already_set_up")
def test_a_harvest_that_stored_releases_with_errors_exits_1_and_says_how_many(tmp_path):
    pages = fts_pages()
    for page in pages:
        for release in page["releases"]:
            release["date"] = "not a date"  # a schema error in every release: stored, flagged
    with Replay(pages, prefix="/api/1.0") as server:
        result = harvest(tmp_path, "find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert result.returncode == 1, result.stderr
    assert "5 of the releases were stored with errors" in " ".join(result.stderr.split())
    assert stored(tmp_path) == (5, 0)


@pytest.mark.usefixtures("a_site_already_set_up")
def test_a_source_that_cannot_be_read_at_all_exits_2_with_what_where_and_how_to_fix(tmp_path):
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(Scripted(404))
        result = harvest(tmp_path, "find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "Could not read Find a Tender at http://127.0.0.1" in message
    assert "HTTP 404" in message
    assert "How to fix it" in message
    assert "Traceback" not in message


def test_bad_options_exit_2_with_a_message(tmp_path):
    unknown = harvest(tmp_path, "tenders-r-us")
    assert unknown.returncode == 2
    assert "find-a-tender" in unknown.stderr
    backwards = harvest(tmp_path, "find-a-tender", "--since", "2026-09-04", "--until", "2026-09-03")
    assert backwards.returncode == 2
    assert "is not before --until" in backwards.stderr
    not_web = harvest(tmp_path, "find-a-tender", "--base-url", "file:///etc/passwd")
    assert not_web.returncode == 2
    assert "is not a web address" in not_web.stderr
    assert "Traceback" not in unknown.stderr + backwards.stderr + not_web.stderr


@pytest.mark.usefixtures("a_site_already_set_up")
def test_a_harvest_killed_part_way_then_run_again_stores_every_release_once(tmp_path):
    pages = cf_pages()
    window = ["--since", "2026-09-03", "--until", "2026-09-04"]
    with Replay(pages) as server:
        server.hold_page = 1  # the second page is held: the harvest is killed waiting for it
        arguments = [OPENCARE, "harvest", "contracts-finder", "--base-url", server.base_url, *window, "--no-bulk"]
        running = subprocess.Popen(arguments, env=environment(tmp_path), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while not (len(server.seen) >= 2 and (tmp_path / "db.sqlite3").exists() and stored(tmp_path)[0] == 100):
            assert time.monotonic() < deadline, "the harvest never reached page 2"
            assert running.poll() is None, "the harvest ended before page 2"
            time.sleep(0.05)
        running.send_signal(signal.SIGKILL)
        running.wait()
        assert stored(tmp_path) == (100, 0)
        server.hold_page = None
        server.release.set()
        server.seen.clear()
        again = harvest(tmp_path, "contracts-finder", "--base-url", server.base_url, *window)
    assert again.returncode == 0, again.stderr
    assert "cursor=1" in server.seen[0]  # went on from the page after the last one stored
    assert stored(tmp_path) == (len(ocids(pages)), 0)
