"""What the site answers when it cannot serve a request: why, in plain English, and what to do.

Every 400, 403, 404, 405, 413 and 500 is a page in the site's layout, or JSON (`{"detail": ...}`) under /api/, in
place of Django's bare defaults and empty bodies. The messages views give (`Http404("No contracting process has that
OCID.")`, `PermissionDenied(...)`) are written for people and are shown; nothing else of an exception ever is.

Methods: the site's pages and API take GET, HEAD, OPTIONS and POST only. Any other method (PUT, PATCH, DELETE,
TRACE, made-up ones) is answered 405 before a view runs, because a page view that does not look at the method would
otherwise answer it as a GET.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

#: The methods the site's pages and API use.
SITE_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
API_PREFIX = "/api/"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 (413 for a body over the size limit): a request Django could not read, e.g. a form with too many fields."""
    if isinstance(exception, RequestDataTooBig):
        return error_answer(request, 413, _("The request is too large"),
                            _("Send less at once: a smaller file, or the data in several parts."))  # fmt: skip
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_answer(request, 400, _("The request has too many fields or files"),
                            _("Send the form as the page gives it, or the data in several parts."))  # fmt: skip
    return error_answer(request, 400, _("The request could not be read"),
                        _("Check the address and what was sent, then try again."))  # fmt: skip


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403, with the reason the view gave (written for people), if it gave one."""
    reason = _people_message(exception) or _("You may not see or do this.")
    return error_answer(request, 403, reason,
                        _("Sign in as someone who may, or ask your organisation's publisher for access."))  # fmt: skip


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404, with the view's reason (e.g. no process has that OCID), or that there is no such address."""
    reason = _people_message(exception) or _("There is no page at this address.")
    return error_answer(request, 404, reason, _("Check the address, or search for what you want from the home page."))


def server_error(request: HttpRequest) -> HttpResponse:
    """500: no details (they are logged); a page that needs neither the database nor the request's context."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Something went wrong on our side. Try again later."}, status=500)
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form without its security token: usually a page left open too long, or sent from another site."""
    return error_answer(request, 403, _("The form could not be accepted: its security check failed"),
                        _("Go back, reload the page and send the form again. Forms must be sent from this site, "
                          "with cookies allowed."))  # fmt: skip


def error_answer(request: HttpRequest, status: int, reason: str, how_to_fix: str) -> HttpResponse:
    """The error as JSON under /api/, else as a page in the site's layout."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": f"{reason}. {how_to_fix}"}, status=status)
    context = {"status": status, "reason": reason, "how_to_fix": how_to_fix}
    return render(request, "errors/error.html", context, status=status)


class MethodsMiddleware:
    """Answers methods the site does not use with 405, and gives every 405 (from here, a view's decorator or the
    API) a body that says which methods the address takes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SITE_METHODS:
            return self._not_allowed(request, ", ".join(SITE_METHODS))
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False):
            return self._not_allowed(request, response.get("Allow", ""))
        return response

    def _not_allowed(self, request: HttpRequest, allowed: str) -> HttpResponse:
        method = (request.method or "")[:20]
        reason = _("This address does not take %(method)s requests") % {"method": method}
        how_to_fix = _("Use one of: %(allowed)s.") % {"allowed": allowed} if allowed else _("Use GET.")
        response = error_answer(request, 405, reason, how_to_fix)
        response["Allow"] = allowed
        return response


class OneLineRefusals(logging.Filter):
    """Logs a refusal (403) as one line: Django's log of a PermissionDenied carries the exception, and so a
    traceback, for what is an ordinary answer to someone who may not do something, not a fault. Used as a filter on
    the `django.request` logger (settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


def _people_message(exception: Exception | None) -> str:
    """The exception's message if a view wrote one for people (a sentence), else ''."""
    message = exception.args[0] if exception is not None and exception.args else None
    if not isinstance(message, str) or not message.strip():
        return ""  # Django's own 404 carries a dict of the URL patterns tried: never shown
    return message.strip().rstrip(".")
