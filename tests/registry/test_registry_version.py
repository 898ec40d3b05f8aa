"""The registry's version, which kept pages and API answers are keyed by, moves with every committed change that pages
show, on every server, and only when the change is committed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from opencare.registry import services, version
from opencare.registry.services import get_or_create_source, recompile_process, store_release_package


def _package(ocid: str, release_id: str = "1") -> dict:
    release = {"ocid": ocid, "id": release_id, "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender", "tender": {"id": "t", "title": "Home care"}}  # fmt: skip
    return {"version": "1.1", "releases": [release]}


@pytest.fixture
def source(db):
    return get_or_create_source(key="test:version", title="Test source")


@pytest.mark.django_db
def test_storing_releases_moves_the_version(source):
    before = version.current()
    store_release_package(package=_package("ocds-abcdef-1"), source=source)
    assert version.current() != before


@pytest.mark.django_db
def test_recompiling_without_a_new_release_moves_the_version_too(source):
    store_release_package(package=_package("ocds-abcdef-1"), source=source)
    before = version.current()
    recompile_process(ocid="ocds-abcdef-1")
    assert version.current() != before


@pytest.mark.django_db
def test_a_change_that_is_rolled_back_leaves_the_version_as_it_was(source):
    def import_that_fails() -> None:
        with transaction.atomic():
            store_release_package(package=_package("ocds-abcdef-1"), source=source)
            raise RuntimeError("the import failed part-way")

    before = version.current()
    with pytest.raises(RuntimeError):
        import_that_fails()
    assert version.current() == before


@pytest.mark.django_db(transaction=True)
def test_a_slow_import_that_commits_after_a_quicker_publish_still_moves_the_version(source, monkeypatch):
    """PostgreSQL hands out release keys when rows are written, not when they are committed: the newest key alone
    would miss the slow import's releases, and every server would keep serving pages without them."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time, so commits cannot overtake each other there")
    written, go_on = threading.Event(), threading.Event()
    recompile = services.recompile_processes

    def slow_recompile(**kwargs):
        if threading.current_thread().name == "slow-import":
            written.set()  # its releases are written, with the lower keys, and not committed
            go_on.wait(10)
        recompile(**kwargs)

    def slow_import() -> None:
        try:
            store_release_package(package=_package("ocds-abcdef-slow"), source=source)
        finally:
            connections.close_all()

    monkeypatch.setattr(services, "recompile_processes", slow_recompile)
    importing = threading.Thread(target=slow_import, name="slow-import")
    importing.start()
    assert written.wait(10)
    store_release_package(package=_package("ocds-abcdef-quick"), source=source)  # commits first, with a higher key
    before = version.current()
    go_on.set()
    importing.join(10)

    after = version.current()
    assert after != before
    assert after.split(".")[0] == before.split(".")[0]  # the newest key did not move: only the count of changes did
