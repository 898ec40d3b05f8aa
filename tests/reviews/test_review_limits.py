"""A review of an upload stops at OPENCARE_REVIEW_MAX_ITEMS or OPENCARE_REVIEW_MAX_SECONDS with a report of what it
checked, saying so on the page and in the API, and spends no more of the worker's time on downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opencare.reviews.models import ReviewRequest

from .conftest import upload

pytestmark = pytest.mark.django_db


def test_an_upload_past_the_item_limit_gets_a_partial_report_that_says_where_it_stopped(client, settings,
                                                                                         demo_bytes):  # fmt: skip
    settings.OPENCARE_REVIEW_MAX_ITEMS = 5
    response = client.post("/api/review", data=demo_bytes, content_type="application/json")
    assert response.status_code == 200
    report = response.json()
    assert report["complete"] is False
    assert report["valid"] is False
    assert report["counts"]["releases"] == 5
    stopped = next(f for f in report["findings"] if f["check"] == "review.stopped-at-item-limit")
    assert stopped["message"].startswith("This file has more than 5 releases, the most one review checks; the "
                                         "review stopped there.")  # fmt: skip
    assert report["key_facts"]  # of what it checked
    review = ReviewRequest.objects.get()
    assert review.downloads["json"] == "failed"
    assert "too large to review whole" in review.downloads["problem"]


def test_the_report_page_of_a_stopped_review_warns_first_that_it_covers_only_part(client, settings, demo_bytes):
    settings.OPENCARE_REVIEW_MAX_ITEMS = 5
    response = client.post(reverse("reviews:upload"), {"file": upload("big.json", demo_bytes)}, follow=True)
    page = response.content.decode()
    assert 'id="stopped"' in page
    assert "This file has more than 5 releases" in page
    assert page.index('id="stopped"') < page.index('id="verdict"')


def test_an_upload_within_the_limits_is_reviewed_whole(client, settings, demo_bytes, demo_package):
    settings.OPENCARE_REVIEW_MAX_ITEMS = len(demo_package["releases"])
    report = client.post("/api/review", data=demo_bytes, content_type="application/json").json()
    assert report["complete"] is True
    assert report["counts"]["releases"] == len(demo_package["releases"])
    assert ReviewRequest.objects.get().downloads["json"] == "ready"


def test_the_limits_have_sensible_defaults():
    from django.conf import settings as django_settings

    assert django_settings.OPENCARE_REVIEW_MAX_ITEMS == 2_000_000
    assert django_settings.OPENCARE_REVIEW_MAX_SECONDS == 600
