"""Small uploads wait in a lane of their own (django-tasks queue "small"), so that a worker kept for it starts them
at once; an input that turns out large or slow is moved to the main lane. The real-process proof that a small upload
is checked while a huge one runs is tests/task_worker/test_small_lane.py."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import default_task_backend

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services import checking, lanes, storage, uploads

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "small"]}}
SMALL_JSON = b'{"version": "1.1", "releases": [{"ocid": "ocds-213czf-1", "id": "1"}]}'


@pytest.fixture
def queued(settings):
    """Tasks are kept, not run: each test sees the lanes its reviews were queued in."""
    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield lambda: [(result.task.name, result.task.queue_name) for result in default_task_backend.results]
    default_task_backend.clear()


def accepted(name: str, data: bytes) -> ReviewRequest:
    return uploads.accept_upload(uploaded=SimpleUploadedFile(name, data), enqueue=True)


def test_a_small_upload_is_queued_in_the_small_lane_and_a_large_one_in_the_main_lane(settings, queued):
    settings.OPENCARE_REVIEW_SMALL_BYTES = 1000
    accepted("small.json", SMALL_JSON)
    accepted("large.json", SMALL_JSON + b" " * 1000)
    assert queued() == [("review_upload", "small"), ("review_upload", "default")]


def test_a_gzip_upload_goes_by_the_size_it_says_it_expands_to(settings, queued):
    settings.OPENCARE_REVIEW_SMALL_BYTES = 1000
    accepted("small.json.gz", gzip.compress(SMALL_JSON))
    accepted("expands.json.gz", gzip.compress(SMALL_JSON + b" " * 5000))  # small itself, large once expanded
    assert queued() == [("review_upload", "small"), ("review_upload", "default")]


def test_a_gzip_upload_that_lies_about_its_size_is_moved_to_the_main_lane_unchecked(settings, queued):
    settings.OPENCARE_REVIEW_SMALL_BYTES = 1000
    # Two gzip members: the file's last four bytes give the size of the last one only (2 bytes).
    data = gzip.compress(SMALL_JSON + b" " * 5000) + gzip.compress(b"  ")
    review = accepted("liar.json.gz", data)
    assert queued() == [("review_upload", "small")]
    checking.run_review(review.token, lane=lanes.SMALL_LANE)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.QUEUED
    assert queued() == [("review_upload", "small"), ("review_upload", "default")]
    assert not (storage.review_folder(review) / storage.EXPANDED_NAME).exists()
    checking.run_review(review.token, lane=lanes.LANE)  # the main lane checks it whole
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.READY


def test_a_small_upload_too_slow_for_the_small_lane_is_moved_to_the_main_lane(settings, queued):
    settings.OPENCARE_REVIEW_QUICK_SECONDS = 0  # every review is too slow for it
    review = accepted("tiny-items.json", b'{"releases": [' + b",".join([b"{}"] * 300) + b"]}")
    checking.run_review(review.token, lane=lanes.SMALL_LANE)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.QUEUED
    assert queued()[-1] == ("review_upload", "default")
    checking.run_review(review.token, lane=lanes.LANE)
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.READY
    assert review.report["complete"] is True


def test_the_api_queues_a_small_body_that_is_slow_to_check_instead_of_holding_the_request(client, settings, queued):
    settings.OPENCARE_REVIEW_QUICK_SECONDS = 0
    body = b'{"releases": [' + b",".join([b"{}"] * 300) + b"]}"
    response = client.post("/api/review", data=body, content_type="application/json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert queued() == [("review_upload", "default")]


def test_spreadsheets_count_as_small_only_at_a_tenth_of_the_size(settings):
    settings.OPENCARE_REVIEW_SMALL_BYTES = 10_000
    sheet = ReviewRequest(input_kind=ReviewRequest.InputKind.XLSX, size_bytes=5_000)
    assert lanes.lane_for(sheet) == lanes.LANE
    sheet.size_bytes = 900
    assert lanes.lane_for(sheet) == lanes.SMALL_LANE
