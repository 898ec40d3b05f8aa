"""Keeping rendered public pages per web worker, keyed by address, language and the registry's version.

Pages only change when releases are added, which changes the version (re-read at most once a second), so a cached
page never outlives the data it shows by more than that. Only successful GET answers are kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from opencare.registry.selectors import registry_version


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer repeated requests for the same page from the cache (OPENCARE_PAGE_CACHE_SECONDS; 0 turns it off)."""

    @functools.wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.OPENCARE_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET":
            return view(request, *args, **kwargs)
        key = f"opencare-page:{registry_version()}:{get_language()}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            body, headers = hit
            response = HttpResponse(body)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            kept = ("Content-Type", "Content-Disposition", "Content-Language")
            cache.set(key, (response.content, {h: response[h] for h in kept if response.has_header(h)}), seconds)
        return response

    return page
