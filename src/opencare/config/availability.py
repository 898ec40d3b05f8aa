"""Whether the site can serve: a health check for load balancers, and a clear 503 while the database is away.

When PostgreSQL restarts or cannot be reached, a query fails with OperationalError or InterfaceError. The person then
gets a short page (from the API, JSON) saying the service is unavailable and to try again shortly, with Retry-After,
never a 500 traceback. Nothing needs restarting afterwards: Django checks a reused connection before a request uses
it (CONN_HEALTH_CHECKS in settings) and opens a new one when the old one is broken, so the next request works.
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

logger = logging.getLogger(__name__)

#: What a lost or refused database connection raises (Django wraps the driver's errors in these).
DATABASE_ERRORS = (OperationalError, InterfaceError)
#: How long clients are told to wait before trying again: a database restart takes a few seconds.
RETRY_AFTER_SECONDS = 5


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer while the database cannot be reached: a page, or JSON for the API.

    The page is rendered without the request's context processors: they would read the session and messages, which
    live in the database.
    """
    message = _("The service is unavailable. Try again shortly.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        context = {"request": request, "message": message, **site(request)}
        response = HttpResponse(render_to_string("errors/service_unavailable.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a view that failed because the database cannot be reached with the 503 answer, logged in one line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The 503 answer for a database error; anything else goes on to Django's own handling."""
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("The database is unavailable (%s %s): %s", request.method, request.path, exception)
        return unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, except that a database error (raised outside a view, e.g. by middleware) gets the 503."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable(request)
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
