"""Polite HTTP for harvesting: at most so many requests in a time per source, ``Retry-After`` honoured on "too many
requests" and "unavailable", exponential backoff on other errors and time-outs, a User-Agent naming opencare with a
contact address, and nothing fetched from any host but the source's own (``links.next`` and redirects included).

The clock and the sleep are given, so that tests can count requests per window and wait out a ``Retry-After``
without really sleeping.
"""

from __future__ import annotations

import time
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from opencare.harvest.sources import HarvestSource, RateLimit

#: The largest page read (a page of 100 releases is a few MB).
MAX_PAGE_BYTES = 200 * 1000 * 1000


class FetchError(Exception):
    """A page that could not be had: what, where and how to fix it, in one message."""


class OtherHostRefused(FetchError):
    """A link or redirect to a host other than the source's own, which is never followed."""


def same_origin(url: str, base_url: str) -> bool:
    """Whether the URL is on the base URL's scheme, host and port."""
    one, other = urlsplit(url), urlsplit(base_url)
    return (one.scheme.lower(), one.netloc.lower()) == (other.scheme.lower(), other.netloc.lower())


def user_agent(contact: str) -> str:
    """What opencare calls itself to a source: its name, version and how to reach whoever runs it."""
    try:
        release = version("opencare")
    except PackageNotFoundError:  # running from a source tree that was never installed
        release = "dev"
    return f"opencare/{release} (+{contact})" if contact else f"opencare/{release}"


@dataclass
class RateLimiter:
    """Waits before a request that would make more than ``limit.requests`` in ``limit.seconds``."""

    limit: RateLimit | None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _sent: deque[float] = field(default_factory=deque)

    def wait_turn(self) -> None:
        """Wait until a request may be sent, and count it as sent."""
        if self.limit is not None:
            while True:
                now = self.clock()
                while self._sent and self._sent[0] <= now - self.limit.seconds:
                    self._sent.popleft()
                if len(self._sent) < self.limit.requests:
                    break
                self.sleep(self._sent[0] + self.limit.seconds - now)
        self._sent.append(self.clock())


class PoliteClient:
    """Fetches a source's pages, politely (see the module's docstring). ``requests`` counts every request sent."""

    def __init__(
        self,
        source: HarvestSource,
        *,
        base_url: str,
        contact: str,
        rate_limit: RateLimit | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        attempts: int = 5,
        backoff_seconds: float = 2.0,
        max_wait_seconds: float = 900.0,
    ) -> None:
        self.source = source
        self.base_url = base_url
        self.requests = 0
        self._limiter = RateLimiter(rate_limit, clock, sleep)
        self._sleep = sleep
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._max_wait = max_wait_seconds
        self._headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
        self._opener = urllib.request.build_opener(_SameHostRedirects(base_url))

    def get(self, url: str) -> bytes:
        """The body of the page at ``url``; FetchError when it cannot be had after the tries allowed."""
        if not same_origin(url, self.base_url):
            raise OtherHostRefused(
                f"{self.source.title} gave a link to {url}, which is not on {self.base_url}: it was not followed. "
                "How to fix it: nothing, if the data is wrong; if the API has moved, give its new base with --base-url"
            )
        problem = ""
        for attempt in range(self._attempts):
            self._limiter.wait_turn()
            self.requests += 1
            try:
                return self._fetch(url)
            except OtherHostRefused:
                raise
            except HTTPError as error:
                problem = f"HTTP {error.code} {error.reason}"
                if error.code in self.source.wait_statuses:
                    wait = _retry_after(error.headers) or self.source.default_wait
                elif error.code >= 500:
                    wait = self._backoff * 2**attempt
                else:
                    raise FetchError(self._cannot(url, problem)) from None
            except (URLError, TimeoutError, HTTPException, OSError) as error:
                problem = str(getattr(error, "reason", None) or error) or type(error).__name__
                wait = self._backoff * 2**attempt
            if attempt + 1 == self._attempts:
                break
            if wait > self._max_wait:
                problem += (
                    f", and it asks for a wait of {wait:,.0f} seconds, longer than the {self._max_wait:,.0f} allowed"
                )
                break
            self._sleep(wait)
        raise FetchError(self._cannot(url, problem))

    def _fetch(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers=self._headers)  # noqa: S310 (same host as the base, checked)
        with self._opener.open(request, timeout=self._timeout) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
        if len(body) > MAX_PAGE_BYTES:
            raise FetchError(f"The page at {url} is over {MAX_PAGE_BYTES:,} bytes: it was not read")
        return body

    def _cannot(self, url: str, problem: str) -> str:
        return (
            f"Could not read {self.source.title} at {url}: {problem}. How to fix it: check the address (--base-url) "
            f"and that the service is up, then run the harvest again; it goes on from the last page stored"
        )


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed only to the base URL's own scheme and host."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not same_origin(newurl, self.base_url):
            raise OtherHostRefused(
                f"{req.full_url} redirected to {newurl}, which is not on {self.base_url}: it was not followed. "
                f"How to fix it: if the API has moved, give its new base with --base-url"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date; None when absent or odd."""
    value = (headers.get("Retry-After") or "").strip() if headers is not None else ""
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
