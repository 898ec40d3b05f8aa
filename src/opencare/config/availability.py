"""Whether the site can serve: a health check for load balancers, and clear answers when it cannot.

When PostgreSQL restarts or cannot be reached, a query fails with OperationalError or InterfaceError. The person then
gets a short page (from the API, JSON) saying the service is unavailable and to try again shortly: 503 with
Retry-After, never a 500 traceback. Nothing needs restarting afterwards: Django checks a reused connection before a
request uses it (CONN_HEALTH_CHECKS in settings) and opens a new one when the old one is broken, so the next request
works. A disk that fills up while a request writes to it (an upload's temporary file, say) answers 507 the same way;
the places that keep files (the review store, documents) refuse more precisely, and delete what they half wrote.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from opencare.explore.context_processors import site
from opencare.storage_limits import is_disk_full

logger = logging.getLogger(__name__)

#: What a lost or refused database connection raises (Django wraps the driver's errors in these).
DATABASE_ERRORS = (OperationalError, InterfaceError)
#: How long clients are told to wait before trying again: a database restart takes a few seconds.
RETRY_AFTER_SECONDS = 5


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer while the database cannot be reached: a page, or JSON for the API."""
    return _answer(
        request, 503, _("Sorry, the service is unavailable"), _("The service is unavailable. Try again shortly.")
    )


def no_room(request: HttpRequest) -> HttpResponse:
    """The 507 answer when the disk is full."""
    return _answer(
        request, 507, _("Sorry, there is no room to keep that"),
        _("There is no room left on our server to keep what you sent. Try again later."),
    )  # fmt: skip


def _answer(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A page (or, for the API, JSON) saying what is wrong; rendered without the request's context processors,
    which would read the session and messages from the database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        context = {"request": request, "title": title, "message": message, **site(request)}
        response = HttpResponse(render_to_string("errors/service_unavailable.html", context), status=status)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Answer a view that failed because the database cannot be reached (503) or the disk is full (507) clearly,
    logged in one line, instead of with a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The 503 or 507 answer; anything else goes on to Django's own handling."""
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("The database is unavailable (%s %s): %s", request.method, request.path, exception)
            return unavailable(request)
        if is_disk_full(exception):
            logger.error("The disk is full (%s %s): %s", request.method, request.path, exception)
            return no_room(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, except for a database error or a full disk outside a view (e.g. in middleware)."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return unavailable(request)
    if error is not None and is_disk_full(error):
        return no_room(request)
    return defaults.server_error(request)


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when this server can reach the database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS as error:
        logger.warning("Health check: the database cannot be reached: %s", error)
        return JsonResponse({"status": "unavailable", "database": "cannot be reached"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
