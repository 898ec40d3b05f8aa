"""What every page's layout needs: the service name and the main navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def site(request: HttpRequest) -> dict[str, Any]:
    """The service name and the navigation items as (url, label) pairs."""
    return {
        "service_name": settings.OPENCARE_SERVICE_NAME,
        "nav_items": [
            (reverse("explore:home"), _("Home")),
            (reverse("explore:contracts"), _("Care contracts")),
            (reverse("explore:compare"), _("Compare")),
            (reverse("explore:organisations"), _("Councils and providers")),
            (reverse("standard:index"), _("Data standard")),
            (reverse("explore:downloads"), _("Downloads")),
            (reverse("reviews:upload"), _("Check your data")),
            (reverse("explore:about_data"), _("About the data")),
            # The same for everyone (pages are cached and shared): /publish/ asks people to sign in.
            (reverse("publishing:home"), _("Publish")),
        ],
    }
