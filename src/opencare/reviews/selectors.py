"""Reads of the Data Review Tool's reviews."""

from __future__ import annotations

from django.utils import timezone

from opencare.reviews.models import ReviewRequest


def live_review(*, token: str) -> ReviewRequest | None:
    """The review at this private address, unless it has expired (then it is as good as deleted)."""
    return ReviewRequest.objects.filter(token=token, expires_at__gt=timezone.now()).first()
