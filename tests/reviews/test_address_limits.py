"""Uploads and `POST /api/review` are limited per address (OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR): past the limit, 429
with a clear message and Retry-After; other addresses, and the same one an hour later, are not held up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opencare.reviews.address_limits import count_review_request
from opencare.reviews.models import ReviewRequest, ReviewSubmission

from .conftest import upload

pytestmark = pytest.mark.django_db

BODY = b'{"version": "1.1", "releases": [{"ocid": "ocds-213czf-1", "id": "1"}]}'


def post_api(client, address: str = "203.0.113.7"):
    return client.post("/api/review", data=BODY, content_type="application/json", REMOTE_ADDR=address)


def test_the_api_answers_429_with_retry_after_past_the_hourly_limit(client, settings):
    settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = 3
    assert [post_api(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = post_api(client)
    assert refused.status_code == 429
    assert 3300 < int(refused["Retry-After"]) <= 3600
    body = refused.json()
    assert body["message"] == "You have asked for 3 reviews in the last hour, the most one address may"
    assert "Try again in 60 minutes" in body["how_to_fix"]
    assert ReviewRequest.objects.count() == 3  # the refused one was not stored, nor queued


def test_uploads_on_the_web_and_api_calls_share_one_limit_and_the_page_says_why(client, settings):
    settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = 2
    assert post_api(client).status_code == 200
    assert client.post(reverse("reviews:upload"), {"file": upload("a.json", BODY)},
                       REMOTE_ADDR="203.0.113.7").status_code == 302  # fmt: skip
    page = client.post(reverse("reviews:upload"), {"file": upload("b.json", BODY)}, REMOTE_ADDR="203.0.113.7")
    assert page.status_code == 429
    assert "Retry-After" in page
    assert "You have asked for 2 reviews in the last hour" in page.content.decode()


def test_another_address_is_not_held_up_by_one_past_its_limit(client, settings):
    settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = 1
    assert post_api(client, "203.0.113.7").status_code == 200
    assert post_api(client, "203.0.113.7").status_code == 429
    assert post_api(client, "198.51.100.9").status_code == 200


def test_behind_a_trusted_proxy_each_client_is_counted_not_the_proxy(client, settings):
    settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = 1
    settings.OPENCARE_TRUSTED_PROXIES = ["10.0.0.5"]
    first = client.post("/api/review", data=BODY, content_type="application/json", REMOTE_ADDR="10.0.0.5",
                        HTTP_X_FORWARDED_FOR="203.0.113.7")  # fmt: skip
    second = client.post("/api/review", data=BODY, content_type="application/json", REMOTE_ADDR="10.0.0.5",
                         HTTP_X_FORWARDED_FOR="198.51.100.9")  # fmt: skip
    again = client.post("/api/review", data=BODY, content_type="application/json", REMOTE_ADDR="10.0.0.5",
                        HTTP_X_FORWARDED_FOR="203.0.113.7")  # fmt: skip
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)


def test_requests_older_than_an_hour_no_longer_count_and_are_forgotten(settings):
    settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = 1
    now = timezone.now()
    count_review_request("203.0.113.7", now=now - timedelta(minutes=61))
    count_review_request("203.0.113.7", now=now)  # not refused: the first is over an hour old
    assert ReviewSubmission.objects.count() == 1
    assert "203.0.113.7" not in str(list(ReviewSubmission.objects.values_list("address_hash", flat=True)))
