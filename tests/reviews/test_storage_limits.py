"""The edges of the review store: a file at exactly the limit is taken and one byte more is refused (413, the limit in
words); a full disk or a full store is refused with 507 and a clear message, and nothing half-written is kept."""

from __future__ import annotations

import errno
from pathlib import Path

import orjson
import pytest
from django.urls import reverse

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services import checking, conversions, storage, uploads

from .conftest import upload

pytestmark = pytest.mark.django_db
LIMIT = 2000


def exactly(size: int) -> bytes:
    """A JSON release package of exactly this many bytes."""
    head = orjson.dumps({"version": "1.1", "publisher": {"name": ""}, "releases": []})
    padding = size - len(head)
    document = {"version": "1.1", "publisher": {"name": "x" * padding}, "releases": []}
    data = orjson.dumps(document)
    assert len(data) == size
    return data


def post_file(client, data: bytes, name: str = "data.json"):
    return client.post(reverse("reviews:upload"), {"file": upload(name, data)})


def stored_folders(store: Path) -> list[Path]:
    return [path for path in store.iterdir() if path.name != "_template"]


@pytest.fixture(autouse=True)
def no_conversions(monkeypatch):
    """The downloads are not what is tested here, and making them takes seconds."""
    monkeypatch.setattr(conversions, "run_conversions", lambda token: None)


@pytest.fixture
def limit(settings) -> int:
    settings.OPENCARE_REVIEW_MAX_UPLOAD_BYTES = LIMIT
    settings.OPENCARE_REVIEW_MAX_PASTE_BYTES = LIMIT
    return LIMIT


def test_a_file_of_exactly_the_limit_is_accepted(client, limit, review_store):
    response = post_file(client, exactly(limit))

    assert response.status_code == 302
    assert ReviewRequest.objects.get().size_bytes == limit


def test_a_file_one_byte_over_the_limit_is_refused_with_413_saying_both_sizes_exactly(client, limit, review_store):
    response = post_file(client, exactly(limit + 1))

    assert response.status_code == 413
    assert "The file is 2,001 bytes, larger than the 2 KB (2,000 bytes) limit" in response.content.decode()
    assert not ReviewRequest.objects.exists()
    assert stored_folders(review_store) == []


def test_pasted_json_at_the_limit_is_taken_and_one_byte_more_is_refused(client, limit, review_store):
    taken = client.post(reverse("reviews:upload"), {"pasted": exactly(limit).decode()})
    refused = client.post(reverse("reviews:upload"), {"pasted": exactly(limit + 1).decode()})

    assert taken.status_code == 302
    assert refused.status_code == 413
    assert "more than the 2 KB (2,000 bytes) that can be pasted" in refused.content.decode()
    assert ReviewRequest.objects.count() == 1


def test_an_api_body_at_the_limit_is_reviewed_and_one_byte_more_is_413(client, limit, review_store):
    taken = client.post("/api/review", data=exactly(limit), content_type="application/json")
    refused = client.post("/api/review", data=exactly(limit + 1), content_type="application/json")

    assert taken.status_code == 200
    assert refused.status_code == 413
    assert refused.json()["message"] == "The data is larger than the 2 KB limit"
    assert ReviewRequest.objects.count() == 1


# --- A full disk ------------------------------------------------------------------------------------------------


def _fills_the_disk_half_way(uploaded, target: Path) -> None:
    """Write some of the upload, then find the disk full, as a real write would."""
    target.write_bytes(uploaded.read()[:100])
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_refuses_the_upload_with_507_and_keeps_nothing(client, review_store, monkeypatch, demo_bytes):
    monkeypatch.setattr(uploads, "_keep_upload", _fills_the_disk_half_way)

    response = post_file(client, demo_bytes)

    assert response.status_code == 507
    page = response.content.decode()
    assert "There is no room left on our server to keep your file" in page
    assert "Try again later" in page
    assert not ReviewRequest.objects.exists()
    assert stored_folders(review_store) == []


def test_the_api_says_507_in_json_when_the_disk_is_full(client, review_store, monkeypatch, demo_bytes):
    monkeypatch.setattr(uploads, "_keep_upload", _fills_the_disk_half_way)

    response = client.post("/api/review", {"file": upload("data.json", demo_bytes)})

    assert response.status_code == 507
    assert response.json()["message"] == "There is no room left on our server to keep your file"
    assert stored_folders(review_store) == []


def test_a_disk_that_fills_while_django_receives_the_upload_is_507_not_500(client, review_store, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile.__init__", full)

    response = post_file(client, b'{"releases": []}')

    assert response.status_code == 507
    assert "There is no room left on our server" in response.content.decode()


def test_a_disk_that_fills_while_the_worker_checks_says_so_and_deletes_the_files(client, review_store, monkeypatch):
    import gzip

    def full(source, target, most=None):
        target.with_suffix(".partial").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checking, "_gunzip", full)

    response = post_file(client, gzip.compress(b'{"releases": []}'), "data.json.gz")

    review = ReviewRequest.objects.get()
    assert review.status == ReviewRequest.Status.FAILED
    assert review.error["message"] == "There was no room left on our server to check this file"
    assert not storage.review_folder(review).exists()
    assert client.get(response["Location"]).status_code == 422


def test_a_worker_killed_three_times_by_an_upload_explains_instead_of_trying_again(client, review_store, demo_bytes):
    review = uploads.accept_upload(uploaded=None, pasted=demo_bytes.decode(), enqueue=False)

    checking.run_review(review.token, attempt=checking.REVIEW_ATTEMPTS + 1)

    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.FAILED
    assert "stopped our checker 3 times" in review.error["message"]
    assert not storage.review_folder(review).exists()


def test_on_a_really_full_disk_the_upload_is_refused_and_the_space_given_back(client, settings, tiny_disk):
    settings.OPENCARE_REVIEW_DIR = tiny_disk
    settings.FILE_UPLOAD_TEMP_DIR = tiny_disk.parent  # received on the big disk, then copied to the tiny one

    refused = post_file(client, exactly(200_000))
    taken = post_file(client, exactly(1000))

    assert refused.status_code == 507
    assert "There is no room left on our server to keep your file" in refused.content.decode()
    assert taken.status_code == 302  # the half-written copy was deleted, so there was room again
    assert ReviewRequest.objects.count() == 1


# --- A quota for the review store -------------------------------------------------------------------------------


def test_an_upload_that_would_take_the_store_past_its_quota_is_refused_with_507(client, settings, review_store):
    settings.OPENCARE_REVIEW_STORE_MAX_BYTES = 5000
    (review_store / "someone-elses-review").mkdir()
    (review_store / "someone-elses-review" / "input").write_bytes(b"x" * 4000)

    refused = post_file(client, exactly(1500))
    taken = post_file(client, exactly(900))

    assert refused.status_code == 507
    page = refused.content.decode()
    assert "The Data Review Tool is full" in page
    assert "deleted after 7 days" in page
    assert taken.status_code == 302
    assert ReviewRequest.objects.count() == 1


def test_expired_reviews_are_deleted_to_make_room_under_the_quota(client, settings, review_store):
    from django.utils import timezone

    settings.OPENCARE_REVIEW_STORE_MAX_BYTES = 1500
    assert post_file(client, exactly(900)).status_code == 302
    assert post_file(client, exactly(900)).status_code == 507  # 1,800 bytes would not fit
    ReviewRequest.objects.update(expires_at=timezone.now())

    response = post_file(client, exactly(900))

    assert response.status_code == 302
    assert ReviewRequest.objects.count() == 1  # the expired one made way


def test_a_streamed_api_body_is_stopped_at_the_quota(client, settings, review_store, demo_bytes):
    settings.OPENCARE_REVIEW_STORE_MAX_BYTES = len(demo_bytes) // 2

    response = client.post("/api/review", data=demo_bytes, content_type="application/json")

    assert response.status_code == 507
    assert response.json()["message"].startswith("The Data Review Tool is full")
    assert stored_folders(review_store) == []


def test_a_database_that_goes_away_mid_review_keeps_the_upload_for_the_next_run(
    client, review_store, monkeypatch, demo_bytes
):
    from django.db import OperationalError

    review = uploads.accept_upload(uploaded=None, pasted=demo_bytes.decode(), enqueue=False)

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    check = checking._check
    monkeypatch.setattr(checking, "_check", lost)
    with pytest.raises(OperationalError):
        checking.run_review(review.token)  # the worker puts the task back (opencare.task_worker)
    monkeypatch.setattr(checking, "_check", check)

    assert storage.stored_input(storage.review_folder(review)).read_bytes() == demo_bytes
    checking.run_review(review.token, attempt=2)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.READY
