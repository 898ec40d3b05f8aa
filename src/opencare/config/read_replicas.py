"""Reads from PostgreSQL read replicas (``DATABASE_REPLICA_URLS``) for the people who can be served by them.

A replica is a little behind the primary, so only requests that cannot miss a recent write of their own go to one:
``GET`` and ``HEAD`` from someone who is not signed in (no session cookie) and has not just changed something (no
``opencare_primary`` cookie, which every other request sets for ``OPENCARE_REPLICA_PIN_SECONDS``). So a publisher,
a moderator, or a person who has just given feedback always reads what they wrote; the public, search engines and
API readers, almost all of the load, read from the replicas. Writes, the task worker and the command line always use
the primary.

Kept answers (the API's and the pages') are keyed by the registry's version read in the same request from the same
database as the answer, so an answer kept from a replica is the right one for that version.

A "not found" read from a replica is asked again of the primary, since what was asked for may have been made a moment
ago (by an API client that keeps no cookies). A replica that cannot be reached is left alone for
``REPLICA_RETRY_SECONDS`` and its readers go to the primary, so a replica going down costs no failed request.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

#: The cookie that keeps someone on the primary for a while after a request that may have changed something.
PIN_COOKIE = "opencare_primary"
REPLICA_PREFIX = "replica"
#: How long a replica that could not be reached is left alone before it is tried again.
REPLICA_RETRY_SECONDS = 30.0
SAFE_METHODS = frozenset({"GET", "HEAD"})

_reading_from: ContextVar[str | None] = ContextVar("opencare_reading_from", default=None)
_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    """The database aliases of the configured read replicas (``replica1``, ``replica2``...)."""
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class ReadReplicaRouter:
    """Reads go where the request's middleware said (a replica or the primary), writes and migrations to the
    primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        alias = _reading_from.get()
        if alias is None or connections["default"].in_atomic_block:
            return None  # inside a transaction on the primary, what is read must be what the transaction sees
        return alias

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True  # a replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReadReplicaMiddleware:
    """Chooses, for each request, whether its reads go to a replica (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.replicas = replica_aliases()
        if not self.replicas:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.pin_seconds = settings.OPENCARE_REPLICA_PIN_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = self._replica_for(request)
        response = self._answer(request, alias)
        if alias is not None and response.status_code == 404:
            # Something made a moment ago (a review an API client has just sent) may not be on the replica yet.
            response = self._answer(request, None)
        if request.method not in SAFE_METHODS:
            response.set_cookie(PIN_COOKIE, "1", max_age=self.pin_seconds, secure=request.is_secure(), httponly=True,
                                samesite="Lax")  # fmt: skip
        return response

    def _answer(self, request: HttpRequest, alias: str | None) -> HttpResponse:
        token = _reading_from.set(alias)
        try:
            return self.get_response(request)
        finally:
            _reading_from.reset(token)

    def _replica_for(self, request: HttpRequest) -> str | None:
        if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        now = time.monotonic()
        candidates = [alias for alias in self.replicas if _down_until.get(alias, 0.0) <= now]
        random.shuffle(candidates)  # spread readers over the replicas
        for alias in candidates:
            try:
                connection = connections[alias]
                connection.close_if_health_check_failed()  # a kept connection to a replica that went down
                connection.ensure_connection()
            except DatabaseError as error:
                _down_until[alias] = now + REPLICA_RETRY_SECONDS
                logger.warning("Read replica %s cannot be reached, reading from the primary: %s", alias, error)
                continue
            return alias
        return None
