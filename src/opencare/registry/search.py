"""Finding contracting processes: words, council, provider, service type, status, how it's going and dates, with
counts for each facet. A fixed number of queries, whatever the registry holds.

Words are understood first (opencare.ocds.everyday_words, docs/search.md): normalised ("Ltd", "&" and punctuation
set aside), the word list's phrases found ("missed visits", "care at home"), and each term given what it means
(measures, a service type). A process matches when it matches every term: it says the term's words (title, buyer,
description, providers, places: ``search_words``), or has one of the measures or the service type the term means
(``search_tags``). On PostgreSQL this is one full-text query (English stemming) on SEARCH_DOCUMENT, whose index
migration 0017 makes; on SQLite a plain word must appear somewhere in that text, and a phrase of the word list as
whole words. Whole words and the word list give the same results on both; PostgreSQL also finds other forms of a
plain word ("visits" for "visit").

This is the one search: the API's `q` (registry.selectors.filtered_processes) matches words here too, and lists its
results in the same order, so the same words give the same processes in the same order on pages and in the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from opencare.ocds.everyday_words import Term, understand
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.service_types import BY_CODE
from opencare.registry.models import Process

#: Keep in step with migration 0017's index, or PostgreSQL will scan every row.
SEARCH_DOCUMENT = (
    "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(buyer_name, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(search_words, '') || ' ' || coalesce(search_tags, ''))"
)
#: The text fields a plain word is looked for in on SQLite (search_words holds the providers' names and places).
TEXT_FIELDS = ("title", "buyer_name", "description", "search_words")
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
    """The processes that match every term of the words (module docstring), for pages and API; none when the words
    hold nothing to search by ("the")."""
    if not searchable(q).strip():
        return processes
    terms = understand(searchable(q))
    if not terms:
        return processes.none()
    if connection.vendor == "postgresql":
        return _matching_full_text(processes, terms)
    for term in terms:
        processes = processes.filter(_sqlite_term(term))
    return processes


def matched_measures(q: str, metric_ids: list[str]) -> list[str]:
    """The catalogue titles of the measures the words mean that a process has, in the catalogue's order (for
    "Matches measure: Care worker pay per hour" beside a result)."""
    return _titles_of(_meant_measures(q), metric_ids)


def with_matched_measures(processes: Iterable[Process], q: str) -> list[Process]:
    """The processes, each given ``matched_measures`` (matched_measures), understanding the words once."""
    meant = _meant_measures(q)
    listed = list(processes)
    for process in listed:
        process.matched_measures = _titles_of(meant, process.metric_ids or []) if meant else []  # type: ignore[attr-defined]
    return listed


def _meant_measures(q: str) -> set[str]:
    return {measure for term in understand(searchable(q)) for measure in term.meaning.measures}


def _titles_of(meant: set[str], metric_ids: list[str]) -> list[str]:
    catalogue = metric_catalogue().metrics
    return [metric.title for metric_id, metric in catalogue.items() if metric_id in meant and metric_id in metric_ids]


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


def _matching_full_text(processes: QuerySet[Process], terms: list[Term]) -> QuerySet[Process]:
    """One full-text query: the plain words together, and for each term of the word list its phrase or its tags."""
    parts: list[str] = []
    parameters: list[str] = []
    plain = [term.words for term in terms if not term.understood]
    if plain:
        parts.append("plainto_tsquery('english'::regconfig, %s)")
        parameters.append(" ".join(plain))
    for term in terms:
        if term.understood:
            alternatives = ["phraseto_tsquery('english'::regconfig, %s)"]
            alternatives += ["plainto_tsquery('english'::regconfig, %s)"] * len(term.tags)
            parts.append("(" + " || ".join(alternatives) + ")")
            parameters += [term.words, *term.tags]
    match = f"{SEARCH_DOCUMENT} @@ ({' && '.join(parts)})"
    # The words go in as parameters; the SQL around them is made only of constants.
    return processes.filter(RawSQL(match, parameters, output_field=BooleanField()))  # noqa: S611


def _sqlite_term(term: Term) -> Q:
    """A plain word anywhere in the text (as search always matched it on SQLite); a phrase of the word list as whole
    words, or one of its tags."""
    if not term.understood:
        found = Q()
        for name in TEXT_FIELDS:
            found |= Q(**{f"{name}__icontains": term.words})
        return found
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(word) for word in term.words.split()) + r"(?![^\W_])"
    found = Q()
    for name in TEXT_FIELDS:
        found |= Q(**{f"{name}__iregex": pattern})
    for tag in term.tags:
        found |= Q(search_tags__contains=f" {tag} ")
    return found
