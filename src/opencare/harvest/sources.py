"""The four UK sources a harvest reads: where each API is, how its data is cut into windows of time, the first
request of each window, and how fast it may be asked (their published limits, or a polite guess where none is).

How each is paged follows what Kingfisher Collect's spiders learned of them (united_kingdom_fts,
united_kingdom_contracts_finder_*, proactis_base): Find a Tender and Contracts Finder give a ``links.next`` cursor
until the window's last page; the Proactis APIs of Scotland and Wales give a month of one notice type per request,
with no paging, and sometimes a package with no ``releases`` at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

#: Releases asked for per page where the API takes a limit (the most both allow).
PAGE_LIMIT = 100


@dataclass(frozen=True)
class Window:
    """A span of time harvested as one: its pages are followed to the last before the next window starts."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests in any ``seconds`` seconds."""

    requests: int
    seconds: float


@dataclass(frozen=True)
class HarvestSource:
    """One source: its name on the command line, its API and how it is read."""

    name: str
    title: str
    base_url: str
    #: The length of a window; None for calendar months.
    window_length: timedelta | None
    rate_limit: RateLimit
    #: Answers that mean "too many requests: wait" (429 and 503 always; 403 too for Contracts Finder).
    wait_statuses: frozenset[int] = frozenset({429, 503})
    #: Seconds to wait after a wait status with no Retry-After.
    default_wait: float = 60.0
    #: For the Proactis APIs: the notice types, one request each per month.
    notice_types: tuple[int, ...] = ()
    #: What the default rate limit rests on, for docs and --help.
    rate_limit_reason: str = ""

    def windows(self, since: datetime, until: datetime) -> Iterator[Window]:
        """The windows from ``since`` to ``until``, in order; the last ends at ``until``."""
        start = since
        while start < until:
            if self.window_length is None:
                end = min(_next_month(start), until)
            else:
                end = min(start + self.window_length, until)
            yield Window(start, end)
            start = end

    def first_urls(self, window: Window, base_url: str) -> list[str]:
        """The first request of each step of a window (one step, or one per notice type); later pages of a step
        are its ``links.next``."""
        base = base_url.rstrip("/")
        if self.notice_types:
            month = f"{window.start:%m-%Y}"
            return [
                f"{base}/v1/Notices?" + urlencode({"dateFrom": month, "outputType": 0, "noticeType": notice_type})
                for notice_type in self.notice_types
            ]
        start, end = _api_time(window.start), _api_time(window.end)
        if self.name == FIND_A_TENDER:
            query = {"updatedFrom": start, "updatedTo": end, "limit": PAGE_LIMIT}
            return [f"{base}/ocdsReleasePackages?" + urlencode(query, safe=":")]
        query = {"limit": PAGE_LIMIT, "publishedFrom": start, "publishedTo": end}
        return [f"{base}/Published/Notices/OCDS/Search?" + urlencode(query, safe=":")]


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_month(moment: datetime) -> datetime:
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)


FIND_A_TENDER = "find-a-tender"
CONTRACTS_FINDER = "contracts-finder"
PUBLIC_CONTRACTS_SCOTLAND = "public-contracts-scotland"
SELL2WALES = "sell2wales"

#: Proactis notice types every Proactis site has (OJEU forms F1-F25), as Kingfisher Collect's proactis_base asks.
PROACTIS_OJEU_NOTICE_TYPES = (1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25)

SOURCES: dict[str, HarvestSource] = {
    source.name: source
    for source in (
        HarvestSource(
            name=FIND_A_TENDER,
            title="Find a Tender",
            base_url="https://www.find-tender.service.gov.uk/api/1.0",
            # Longer windows lose releases: the API does not page them all (Kingfisher Collect, issue 1306).
            window_length=timedelta(hours=6),
            rate_limit=RateLimit(12, 120),
            rate_limit_reason="the API refuses more than 12 requests in 2 minutes (HTTP 429)",
        ),
        HarvestSource(
            name=CONTRACTS_FINDER,
            title="Contracts Finder",
            base_url="https://www.contractsfinder.service.gov.uk",
            window_length=timedelta(days=15),
            rate_limit=RateLimit(30, 60),
            # Its documentation: after "too many requests" (HTTP 403), no further request for 5 minutes.
            wait_statuses=frozenset({403, 429, 503}),
            default_wait=300.0,
            rate_limit_reason="no published limit; it refuses bursts with HTTP 403 and asks for 5 minutes' rest",
        ),
        HarvestSource(
            name=PUBLIC_CONTRACTS_SCOTLAND,
            title="Public Contracts Scotland",
            base_url="https://api.publiccontractsscotland.gov.uk",
            window_length=None,
            rate_limit=RateLimit(30, 60),
            notice_types=(*PROACTIS_OJEU_NOTICE_TYPES, 101, 102, 103, 104),
            rate_limit_reason="no published limit; one request every 2 seconds on average",
        ),
        HarvestSource(
            name=SELL2WALES,
            title="Sell2Wales",
            base_url="https://api.sell2wales.gov.wales",
            window_length=None,
            rate_limit=RateLimit(30, 60),
            notice_types=(*PROACTIS_OJEU_NOTICE_TYPES, 51, 52, 53, 54, 55, 56),
            rate_limit_reason="no published limit; one request every 2 seconds on average",
        ),
    )
}


class UnknownSource(Exception):
    """A source name that is none of SOURCES."""


def harvest_source(name: str) -> HarvestSource:
    """The source of this name; UnknownSource, naming the known ones, when there is none."""
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownSource(f"There is no source called {name!r}: the sources are {', '.join(SOURCES)}") from None
