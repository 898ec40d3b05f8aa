"""Template filters for the lockout page, which django-axes renders with its own context."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(period: timedelta) -> int:
    """A lockout period in whole minutes, rounded up so nobody is told to wait less than they must."""
    return math.ceil(period.total_seconds() / 60)
