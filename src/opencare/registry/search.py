"""Finding contracting processes: words, council, provider, service type, status, how it's going and dates, with
counts for each facet. A fixed number of queries, whatever the registry holds.

On PostgreSQL the words are matched by full-text search (English stemming, an index on SEARCH_DOCUMENT made by
migration 0007); on SQLite every word must appear in the title, buyer, providers or description. Whole words
give the same results on both; PostgreSQL also finds other forms of a word ("visits" for "visit").

This is the one search: the API's `q` (registry.selectors.filtered_processes) matches words here too, and lists its
results in the same order, so the same words give the same processes in the same order on pages and in the API.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from opencare.ocds.service_types import BY_CODE
from opencare.registry.models import Process

#: Keep in step with migration 0007's index, or PostgreSQL will scan every row.
SEARCH_DOCUMENT = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(buyer_name, '') || ' ' || "
    "coalesce(supplier_names::text, '') || ' ' || coalesce(description, ''))"
)
SIGNALS = {
    "below": "Below target",
    "meeting": "Meeting targets",
    "no-figures": "No figures published",
}
#: How many councils the council facet lists (the most frequent first).
TOP_BUYERS = 12
#: The order of search results: most recently updated first, then by OCID.
SEARCH_ORDER = ("-last_release_date", "ocid")


def searchable(text: str) -> str:
    """Text safe to compare in the database: PostgreSQL cannot hold a NUL character (and no stored text has one)."""
    return text.replace("\x00", "")


@dataclass(frozen=True)
class Search:
    """What a person searched for; every part optional. ``social_care`` False means every process."""

    q: str = ""
    buyer: str = ""
    supplier: str = ""
    service_type: str = ""
    status: str = ""
    signal: str = ""
    running_from: date | None = None
    running_to: date | None = None
    social_care: bool = True

    def without(self, name: str) -> dict[str, str]:
        """The search as query parameters, less one of them (for "remove this filter" links)."""
        parameters: dict[str, str] = {}
        for part in fields(self):
            value = getattr(self, part.name)
            if part.name == name or value in ("", None):
                continue
            if part.name == "social_care":
                if not value:
                    parameters["all"] = "1"
                continue
            parameters[part.name] = value.isoformat() if isinstance(value, date) else str(value)
        return parameters


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many processes in the results have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    """Counts of the results by service type, status, how it's going and council."""

    service_types: list[FacetValue]
    statuses: list[FacetValue]
    signals: list[FacetValue]
    buyers: list[FacetValue]


def search_processes(search: Search) -> QuerySet[Process]:
    """Processes matching the search, most recently updated first, without their compiled releases."""
    processes = Process.objects.defer("compiled_release")
    if search.social_care:
        processes = processes.filter(is_social_care=True)
    processes = matching_words(processes, search.q)
    if buyer := searchable(search.buyer).strip():
        processes = processes.filter(buyer_name__icontains=buyer)
    if supplier := searchable(search.supplier).strip():
        processes = processes.filter(supplier_names__icontains=supplier)
    if search.service_type:
        processes = processes.filter(service_type=search.service_type)
    if status := searchable(search.status):
        processes = processes.filter(status=status)
    if search.signal:
        processes = processes.filter(signal=search.signal)
    if search.running_from:
        processes = processes.filter(Q(period_end__gte=search.running_from) | Q(period_end__isnull=True))
    if search.running_to:
        processes = processes.filter(Q(period_start__lte=search.running_to) | Q(period_start__isnull=True))
    return processes.order_by(*SEARCH_ORDER)


def after_in_search_order(processes: QuerySet[Process], last_pk: int) -> QuerySet[Process]:
    """The processes after the one with this primary key in SEARCH_ORDER (the next page of results, whatever
    arrived since); none if there is no such process. NULL dates come where each database sorts them."""
    last = Process.objects.filter(pk=last_pk).values_list("last_release_date", "ocid").first()
    if last is None:
        return processes.none()
    date, ocid = last
    nulls_first = connection.features.nulls_order_largest  # in a descending order: PostgreSQL, not SQLite
    if date is None:
        later = Q(last_release_date__isnull=True, ocid__gt=ocid)
        return processes.filter(later | Q(last_release_date__isnull=False) if nulls_first else later)
    later = Q(last_release_date__lt=date) | Q(last_release_date=date, ocid__gt=ocid)
    return processes.filter(later if nulls_first else later | Q(last_release_date__isnull=True))


def matching_words(processes: QuerySet[Process], q: str) -> QuerySet[Process]:
    """The processes whose title, buyer, providers or description have the words (all of them), for pages and API."""
    words = searchable(q).strip()
    return _matching_words(processes, words) if words else processes


def search_facets(processes: QuerySet[Process]) -> Facets:
    """Counts of the processes by each facet: four grouped queries."""
    base = processes.order_by()
    # COUNT(*), not COUNT(id): PostgreSQL can then answer from the social_care_newest_first index alone.
    by_type = dict(base.values_list("service_type").annotate(total=Count("*")))
    by_status = dict(base.values_list("status").annotate(total=Count("*")))
    by_signal = dict(base.values_list("signal").annotate(total=Count("*")))
    buyers = base.exclude(buyer_name="").values_list("buyer_name").annotate(total=Count("*"))
    return Facets(
        service_types=[
            FacetValue(code, service.name, by_type[code]) for code, service in BY_CODE.items() if by_type.get(code)
        ],
        statuses=[FacetValue(status, status or "Not published", total) for status, total in sorted(by_status.items())],
        signals=[FacetValue(code, label, by_signal[code]) for code, label in SIGNALS.items() if by_signal.get(code)],
        buyers=[
            FacetValue(name, name, total)
            for name, total in sorted(buyers.order_by("-total", "buyer_name")[:TOP_BUYERS], key=lambda b: b[0])
        ],
    )


def _matching_words(processes: QuerySet[Process], words: str) -> QuerySet[Process]:
    if connection.vendor == "postgresql":
        match = f"{SEARCH_DOCUMENT} @@ websearch_to_tsquery('english'::regconfig, %s)"
        # The words go in as a parameter; the SQL around them is a constant.
        return processes.filter(RawSQL(match, [words], output_field=BooleanField()))  # noqa: S611
    for word in words.split():
        processes = processes.filter(
            Q(title__icontains=word)
            | Q(buyer_name__icontains=word)
            | Q(supplier_names__icontains=word)
            | Q(description__icontains=word)
        )
    return processes
