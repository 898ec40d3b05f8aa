"""A keyed hash of a client's address: what per-address limits (feedback, the Data Review Tool) count by, so that
opencare never stores an address yet can tell that many requests came from one."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def address_hash(address: str) -> str:
    """A keyed hash of a client's address: enough to count what one address sends, not enough to find anyone."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
