"""The sign-in page's list of demo accounts to try, on local runs only.

Here, in the demo, so sign-in (opencare.accounts) never imports the demo: the page loads this tag, and the tag shows
nothing unless settings.OPENCARE_DEMO_ACCOUNTS is on (never in production).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("demo/_sign_in_hint.html")
def demo_sign_in_hint() -> dict[str, Any]:
    """The invented accounts to try publishing with and their password, when demo accounts are on."""
    if not settings.OPENCARE_DEMO_ACCOUNTS:
        return {"demo_accounts": ()}
    from opencare.demo.accounts import DEMO_ACCOUNTS  # imports the publishing models: only once Django is ready

    return {"demo_accounts": DEMO_ACCOUNTS, "demo_password": settings.OPENCARE_DEMO_PASSWORD}
