"""What every page's layout needs: the service name, the main navigation and the language switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

#: Welsh's language code, and the prefix of its addresses.
WELSH = "cy"


def site(request: HttpRequest) -> dict[str, Any]:
    """The service name, the navigation items as (url, label) pairs, and this page in the other language."""
    return {
        "service_name": settings.OPENCARE_SERVICE_NAME,
        "other_language": other_language_link(request),
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


def other_language_link(request: HttpRequest) -> dict[str, str] | None:
    """The same page in the other language (address, code and name, and those of this page's language), or None when
    the page has only English.

    The query string is kept, so a search or a filtered list stays as it was.
    """
    current = WELSH if translation.get_language() == WELSH else settings.LANGUAGE_CODE
    target = settings.LANGUAGE_CODE if current == WELSH else WELSH
    other = translate_url(request.path, target)
    if other == request.path:
        return None  # not one of the translated pages (publishing, accounts, the API)
    query = request.META.get("QUERY_STRING", "")
    names = dict(settings.LANGUAGES)  # each language's name in itself: "English", "Cymraeg"
    return {
        "href": f"{other}?{query}" if query else other,
        "code": target,
        "name": names[target],
        "current_code": current,
        "current_name": names[current],
    }
