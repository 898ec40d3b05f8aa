"""How many reviews one address may ask for: OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR uploads and `POST /api/review`
calls an hour, as feedback is limited per address (the client's address behind trusted proxies, kept only as a keyed
hash). Past it, the answer is 429 with Retry-After: one address sending thousands of files would otherwise fill the
queue that everyone shares. Each request counts when it arrives, before its body is read, so refused ones count too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from opencare.address_hash import address_hash
from opencare.reviews.models import ReviewSubmission
from opencare.reviews.services.uploads import UploadRefused

WINDOW = timedelta(hours=1)


@dataclass
class TooManyReviews(UploadRefused):
    """An address past its hourly limit (429): what to tell it, and in how many seconds it may send again."""

    retry_after: int = 3600


def count_review_request(address: str, now: datetime | None = None) -> None:
    """Count one review request from this address, or refuse it (TooManyReviews) when the address has sent
    OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR in the last hour (0: no limit)."""
    limit = settings.OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR
    if not limit:
        return
    now = now or timezone.now()
    sender = address_hash(address)
    ReviewSubmission.objects.filter(created_at__lte=now - WINDOW).delete()  # forgotten after an hour
    recent = ReviewSubmission.objects.filter(address_hash=sender, created_at__gt=now - WINDOW)
    sent = recent.count()
    if sent >= limit:
        # A place comes free when the request that takes the count back under the limit is an hour old.
        freed_by = recent.order_by("created_at").values_list("created_at", flat=True)[sent - limit]
        wait = max(1, math.ceil((freed_by + WINDOW - now).total_seconds()))
        raise TooManyReviews(
            f"You have asked for {sent} reviews in the last hour, the most one address may",
            f"Try again in {_minutes(wait)}. To check many files, use `opencare review FILE` on your own computer, "
            "which has no limit.",
            status=429,
            retry_after=wait,
        )
    ReviewSubmission.objects.create(address_hash=sender, created_at=now)


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
