"""The bulk downloads are remade in the background after every change: many changes cost one rebuild, two never
run at once, a failed rebuild leaves the last one served whole, and the downloads page says when they were made."""

from __future__ import annotations

import gzip
import hashlib
import io
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencare.ocds.extensions_used import profile_fields, top_level_fields
from opencare.ocds.review.engine import review
from opencare.registry import bulk
from opencare.registry.bulk import download_path, read_index, rebuild_if_due, write_bulk_downloads
from opencare.registry.imports import import_paths
from opencare.registry.models import BulkRebuild, Process, Release
from opencare.registry.services import get_or_create_source, store_release_package
from opencare.registry.tasks import request_rebuild

pytestmark = pytest.mark.django_db

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
SMALL = REALDATA / "s2w-releases-2025-02.json"
TASK_PATH = "opencare.registry.tasks.rebuild_bulk_downloads"


@pytest.fixture
def rebuilding(settings, tmp_path):
    """Rebuilds on, into a folder of the test's own."""
    settings.OPENCARE_BULK_REBUILD = True
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    return settings


@pytest.fixture
def queued(rebuilding):
    """Tasks queued in the database, as `opencare serve` does, instead of run at once."""
    rebuilding.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return rebuilding


def a_release(ocid: str) -> dict:
    return {
        "ocid": ocid, "id": f"{ocid}-1", "date": "2026-01-05T00:00:00Z", "tag": ["planning"],
        "initiationType": "tender", "tender": {"id": "1", "title": f"Home care {ocid}"},
    }  # fmt: skip


def store(ocid: str) -> None:
    source = get_or_create_source(key="test:rebuild", title="Test")
    store_release_package(package={"version": "1.1", "releases": [a_release(ocid)]}, source=source)


def test_storing_releases_remakes_the_downloads_once_the_change_is_committed(
    rebuilding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_paths([SMALL])
    index = read_index()
    assert index is not None
    assert index["datasets"]["all"]["releases"] == Release.objects.count() > 0
    assert index["datasets"]["all"]["processes"] == Process.objects.count()
    assert BulkRebuild.objects.get().due_since is None


def test_storing_releases_does_not_remake_the_downloads_when_rebuilds_are_off(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    with django_capture_on_commit_callbacks(execute=True):
        store("ocds-off-1")
    assert read_index() is None
    assert not BulkRebuild.objects.exists()


def test_many_changes_queue_one_rebuild_that_waits_a_short_while(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            store(f"ocds-burst-{number}")
    (task,) = DBTaskResult.objects.filter(task_path=TASK_PATH)
    delay = queued.OPENCARE_BULK_REBUILD_DELAY_SECONDS
    assert timezone.now() < task.run_after <= timezone.now() + timedelta(seconds=delay)
    assert read_index() is None  # nothing is written in the request that stored the releases


def test_a_change_after_a_rebuild_started_queues_another(queued):
    request_rebuild()
    assert rebuild_if_due() is not None  # clears the marker as it starts
    request_rebuild()
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 2
    assert BulkRebuild.objects.get().due_since is not None


def test_a_rebuild_with_nothing_waiting_does_nothing(rebuilding):
    write_bulk_downloads()
    made = read_index()["folder"]
    assert rebuild_if_due() is None
    assert read_index()["folder"] == made


def test_a_marker_left_by_a_lost_task_is_taken_over(queued):
    BulkRebuild.objects.create(pk=1, due_since=timezone.now() - timedelta(hours=1))
    request_rebuild()
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1


def test_two_rebuilds_never_run_at_once_and_the_one_refused_is_queued_again(queued):
    request_rebuild()
    folder = bulk.bulk_folder()
    folder.mkdir(parents=True)
    with bulk._rebuild_lock(folder, wait=False):  # another rebuild is running
        with pytest.raises(bulk.RebuildRunning):
            rebuild_if_due()
        from opencare.registry.tasks import rebuild_bulk_downloads

        rebuild_bulk_downloads.call()
    assert read_index() is None
    assert BulkRebuild.objects.get().due_since is not None  # still waiting for the rebuild queued again
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 2


def test_a_rebuild_that_fails_part_way_leaves_the_last_downloads_served_whole(rebuilding, monkeypatch):
    store("ocds-first")
    first = write_bulk_downloads()
    store("ocds-second")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bulk, "_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        write_bulk_downloads()
    assert read_index() == first
    assert first["datasets"]["all"]["files"]
    for file in first["datasets"]["all"]["files"]:
        assert hashlib.sha256(download_path(file["name"]).read_bytes()).hexdigest() == file["sha256"]
    assert [path.name for path in bulk.bulk_folder().glob("made-*")] == [first["folder"]]


def test_each_rebuild_is_a_new_folder_and_only_the_one_before_is_kept(rebuilding):
    folders = [write_bulk_downloads()["folder"] for _ in range(3)]
    assert len(set(folders)) == 3
    assert sorted(path.name for path in bulk.bulk_folder().glob("made-*")) == sorted(folders[1:])


def test_the_release_package_is_complete_and_reviews_with_no_error_or_unknown_field(rebuilding):
    from opencare.demo.services import load_demo

    load_demo()
    write_bulk_downloads()
    data = gzip.decompress(download_path("opencare-all-releases.json.gz").read_bytes())
    package = orjson.loads(data)
    assert package["uri"] == f"{rebuilding.OPENCARE_SITE_URL}/downloads/opencare-all-releases.json.gz"
    assert package["license"] == rebuilding.OPENCARE_PUBLISHED_LICENCE_URL
    assert package["publicationPolicy"].startswith(rebuilding.OPENCARE_SITE_URL)
    assert package["publisher"]["name"]
    assert package["extensions"]
    report = review(io.BytesIO(data))
    found = [(f.check, f.path) for f in report.findings if f.severity == "error" or f.check == "ocds.additional-field"]
    assert found == []


def test_the_downloads_page_says_when_they_were_made_and_that_they_are_being_remade(rebuilding, client):
    store("ocds-page-1")
    write_bulk_downloads()
    html = client.get("/downloads/").content.decode()
    made = timezone.localtime(bulk.downloads_state().made_at)
    assert f"Made less than a minute ago, at {made:%H:%M} on {made.day} {made:%B %Y}." in html
    assert "being remade" not in html
    rebuilding.OPENCARE_BULK_REBUILD = False  # the change below is not remade at once
    store("ocds-page-2")
    rebuilding.OPENCARE_BULK_REBUILD = True
    BulkRebuild.objects.update_or_create(pk=1, defaults={"due_since": timezone.now()})
    assert "they are being remade" in client.get("/downloads/").content.decode()


def test_the_downloads_page_says_how_many_minutes_ago_they_were_made_after_the_first_minute(rebuilding, client):
    store("ocds-page-3")
    index = write_bulk_downloads()
    earlier = timezone.now() - timedelta(minutes=5, seconds=10)
    index["generated_at"] = earlier.strftime("%Y-%m-%dT%H:%M:%SZ")
    (bulk.bulk_folder() / "index.json").write_bytes(orjson.dumps(index))
    html = client.get("/downloads/").content.decode()
    assert "Made 5\xa0minutes ago, at " in html
    assert "less than a minute" not in html


def test_the_release_package_declares_extensions_whose_fields_releases_use_undeclared(rebuilding):
    """Sell2Wales's packages declare no extensions, yet their releases use the EU profile's, lots' and the Links
    fields: the download declares those, so only the fields no schema defines are left unknown (misspelt names, and
    names with spaces, as published)."""
    import_paths([SMALL])
    assert not any(release.package_metadata.get("extensions") for release in Release.objects.all())
    write_bulk_downloads()
    data = gzip.decompress(download_path("opencare-all-releases.json.gz").read_bytes())
    assert orjson.loads(data)["extensions"]
    report = review(io.BytesIO(data))
    unknown = [f.path.split("/")[1:] for f in report.findings if f.check == "ocds.additional-field"]
    defined_by_an_extension = {*profile_fields(), *((name,) for name in top_level_fields())}
    assert [path for path in unknown if tuple(path) in defined_by_an_extension] == []
    assert all(" " in path[-1] or path[-1] == "electronicCataloguePolicy" for path in unknown), unknown
