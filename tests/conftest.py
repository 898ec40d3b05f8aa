"""Fixtures shared by every test."""

from __future__ import annotations

import gc
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.utils import translation

#: The `opencare` command of this environment, as an operator runs it.
OPENCARE = Path(sys.executable).with_name("opencare")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Set the test process's cycle collector for a test run: what is alive once the tests are collected (Django,
    every library, the test items) is frozen, so later collections do not walk it again, and collections run after
    20,000 new objects rather than 700.

    Requests through the test client make and drop many objects, so the default collected some 4,600 times in the
    publishing tests, walking the whole heap in 18 of them: 3.9 s of the 59 s those tests took; 1.5 s like this.
    The cycle collector still runs, so the checks that rely on it (unclosed files) still see it run. Code that
    unfreezes (those checks, and the CLI's no_cycle_collection run in-process) ends the freeze for the rest of that
    worker's run; the higher threshold, most of the gain, stays.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class NetworkBlockedError(RuntimeError):
    """Raised when code under test tries to open a network connection."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to reach the network fail loudly, so offline behaviour is proven, not assumed."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkBlockedError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def review_store(settings, tmp_path: Path) -> Path:
    """A review store and an upload folder of the test's own (live_server runs in the test's process, so browser
    tests see them too)."""
    settings.OPENCARE_REVIEW_DIR = tmp_path / "reviews"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.OPENCARE_REVIEW_DIR.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.OPENCARE_REVIEW_DIR


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KB filesystem (tmpfs), where mounting one is allowed (as root); unmounted afterwards."""
    mountpoint = tmp_path / "tiny-disk"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mountpoint)],
                             capture_output=True, check=False) if os.geteuid() == 0 else None  # fmt: skip
    if mounted is None or mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root with CAP_SYS_ADMIN; other tests simulate the full disk instead")
    yield mountpoint
    subprocess.run(["umount", str(mountpoint)], check=True)


@pytest.fixture(autouse=True)
def english_to_begin_with() -> Iterator[None]:
    """Each test starts in English: a request to a /cy/ page leaves Welsh active in the thread (as Django does),
    which would otherwise make the next test's reverse() give Welsh addresses."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database set up by `opencare manage migrate` (every migration applied), made once per test worker.

    Migrating a new database takes about two seconds of each `opencare` process that finds one; the tests whose
    subject is something else (an import, a harvest, a killed worker) start from a copy of this one instead, as a
    site set up by `opencare setup` would. The tests of a command meeting a brand-new database do not use it.
    """
    folder = tmp_path_factory.mktemp("migrated-site")
    database = folder / "opencare.sqlite3"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "opencare.config.settings",
                   "DATABASE_URL": f"sqlite:///{database}", "OPENCARE_VAR_DIR": str(folder)}  # fmt: skip
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run([OPENCARE, "manage", "migrate", "-v0"], env=environment, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return database


@pytest.fixture(scope="session")
def migrated_sqlite(migrated_sqlite_template: Path) -> Callable[[Path], Path]:
    """Copy the migrated template database to a path of the test's (or module's) own, and return that path.

    The copy goes through SQLite's backup API, so what the template holds in its write-ahead log is copied too.
    """

    def copy_to(path: Path) -> Path:
        with closing(sqlite3.connect(migrated_sqlite_template)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        return path

    return copy_to
