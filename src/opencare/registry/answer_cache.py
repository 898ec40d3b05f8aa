"""Keeping successful GET answers (API documents, pages, charts, CSVs) per web worker, keyed by address, language and
the registry's version.

Answers only change when releases are added, which changes the version (the newest release's key, re-read at most
once a second), so a kept answer never outlives the data it shows by more than that. A repeated request then costs a
cache lookup instead of queries and rendering.
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

#: The headers kept with a body; the rest are set again by middleware.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "ETag", "Cache-Control")

View = Callable[..., HttpResponse]


def kept_answer(request: HttpRequest, seconds_setting: str, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept answer to this request, or ``answer()`` (kept if it is a 200) when there is none."""
    seconds = getattr(settings, seconds_setting)
    if not seconds or request.method != "GET":
        return answer()
    key = f"opencare:{seconds_setting}:{registry_version()}:{get_language()}:{request.build_absolute_uri()}"
    hit = cache.get(key)
    if hit is not None:
        body, headers = hit
        response = HttpResponse(body)
        for name, value in headers.items():
            response[name] = value
        return response
    response = answer()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}), seconds)
    return response


def cached_by_registry_version(seconds_setting: str) -> Callable[[View], View]:
    """A decorator keeping a view's answers for as many seconds as the named setting says (0 turns it off).

    Not for django-ninja operations: ninja reads their annotations in the wrapper's module, so they wrap
    kept_answer in their own module (registry/api.py).
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return kept_answer(request, seconds_setting, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator
