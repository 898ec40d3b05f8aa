"""Forgetting: each review, its files first, once it is past its expiry date (or when the person deletes it)."""

from __future__ import annotations

import shutil
from typing import Any

from django.utils import timezone

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.storage import review_folder


def delete_review(review: ReviewRequest) -> None:
    """Delete a review's files, then its row."""
    shutil.rmtree(review_folder(review), ignore_errors=True)
    review.delete()


def delete_expired_reviews(now: Any = None) -> int:
    """Delete every review past its expiry date, files first. Returns how many were deleted."""
    now = now or timezone.now()
    expired = list(ReviewRequest.objects.filter(expires_at__lte=now))
    for review in expired:
        delete_review(review)
    return len(expired)
