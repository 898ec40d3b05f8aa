"""Reads from the registry, for pages, the API and the command line."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db import router
from django.db.models import Count, QuerySet

from opencare.registry import version
from opencare.registry.cqc import ratings_for
from opencare.registry.models import (
    CqcLocation,
    Organisation,
    OrganisationIdentifier,
    Process,
    ProcessParty,
    Release,
    Source,
)
from opencare.registry.search import SEARCH_ORDER, after_in_search_order, matching_words, searchable

#: The registry's version as last read in this process from each database (the primary, a read replica), and when.
_VERSIONS: dict[str, dict[str, Any]] = {}


def registry_version(max_age: float = 1.0) -> str:
    """A value that changes whenever what pages and the API show changes (registry.version), read at most once a
    second in each process from each database: a read replica's version is that of the data read from it."""
    database = router.db_for_read(Release)
    memo = _VERSIONS.setdefault(database, {"value": "", "read_at": float("-inf")})
    now = time.monotonic()
    if now - memo["read_at"] > max_age:
        memo["value"] = version.current()
        memo["read_at"] = now
    return str(memo["value"])


def forget_registry_version() -> None:
    """Read the version again at the next call, as if a second had passed (for tests)."""
    _VERSIONS.clear()


@dataclass(frozen=True)
class RegistryCounts:
    """Headline numbers for the home page."""

    processes: int
    releases: int
    sources: int
    invented_processes: int


def registry_counts() -> RegistryCounts:
    """How much the registry holds."""
    return RegistryCounts(
        processes=Process.objects.count(),
        releases=Release.objects.count(),
        sources=Source.objects.count(),
        invented_processes=Process.objects.filter(is_invented=True).count(),
    )


def process_by_ocid(*, ocid: str) -> Process | None:
    """One process, or None."""
    return Process.objects.filter(ocid=ocid).first()


def process_releases(*, ocid: str) -> QuerySet[Release]:
    """A process's releases in date order, with their source."""
    return Release.objects.filter(ocid=ocid).select_related("source").order_by("date", "id")


def sources_with_counts() -> QuerySet[Source]:
    """Every source with how many releases it gave, for the page about where the data comes from."""
    return Source.objects.annotate(release_total=Count("releases")).order_by("is_invented", "title")


@dataclass(frozen=True)
class ProcessFilter:
    """What the API's lists filter by; every part optional. Dates are ISO dates or date-times."""

    buyer: str = ""
    supplier: str = ""
    cpv: str = ""
    q: str = ""
    social_care: bool | None = None
    date_from: str = ""
    date_to: str = ""
    updated_since: str = ""


def filtered_processes(criteria: ProcessFilter, *, after: int = 0) -> QuerySet[Process]:
    """Processes matching the filter, after the one with primary key ``after``, in a stable order for paging: by
    primary key, or, with words, as the search page lists them (words are matched by the search page's search)."""
    criteria = replace(criteria, buyer=searchable(criteria.buyer), supplier=searchable(criteria.supplier),
                       q=searchable(criteria.q))  # fmt: skip
    processes = Process.objects.all()
    if criteria.buyer:
        processes = processes.filter(buyer_name__icontains=criteria.buyer)
    if criteria.supplier:
        processes = processes.filter(supplier_names__icontains=criteria.supplier)
    if criteria.cpv:
        processes = processes.filter(cpv_codes__icontains=f'"{criteria.cpv}')  # codes starting with it
    processes = matching_words(processes, criteria.q)
    if criteria.social_care is not None:
        processes = processes.filter(is_social_care=criteria.social_care)
    if criteria.date_from:
        processes = processes.filter(last_release_date__gte=criteria.date_from)
    if criteria.date_to:
        processes = processes.filter(last_release_date__lte=criteria.date_to)
    if criteria.updated_since:
        processes = processes.filter(updated_at__gte=criteria.updated_since)
    if criteria.q.strip():
        processes = after_in_search_order(processes, after) if after else processes
        return processes.order_by(*SEARCH_ORDER)
    return processes.filter(pk__gt=after).order_by("pk")


def filtered_releases(criteria: ProcessFilter) -> QuerySet[Release]:
    """Releases of the processes matching the filter (dates and updated-since apply to the releases themselves)."""
    releases = Release.objects.all()
    by_process = replace(criteria, date_from="", date_to="", updated_since="")
    if by_process != ProcessFilter():
        releases = releases.filter(ocid__in=filtered_processes(by_process).values("ocid"))
    if criteria.date_from:
        releases = releases.filter(date__gte=criteria.date_from)
    if criteria.date_to:
        releases = releases.filter(date__lte=criteria.date_to)
    if criteria.updated_since:
        releases = releases.filter(stored_at__gte=criteria.updated_since)
    return releases.order_by("pk")


def organisation_list(*, q: str = "") -> QuerySet[Organisation]:
    """Organisations with how many processes they take part in, by primary key for paging."""
    organisations = Organisation.objects.annotate(process_total=Count("process_parties__process", distinct=True))
    if q := searchable(q):
        organisations = organisations.filter(name__icontains=q)
    return organisations.prefetch_related("identifiers").order_by("pk")


def organisation_by_id(*, pk: int) -> Organisation | None:
    """One organisation with its identifiers, or None."""
    return Organisation.objects.prefetch_related("identifiers").filter(pk=pk).first()


def organisation_processes(*, organisation: Organisation) -> QuerySet[ProcessParty]:
    """The organisation's parts in processes, with the process summary."""
    return organisation.process_parties.select_related("process").defer("process__compiled_release").order_by("pk")


@dataclass(frozen=True)
class Involved:
    """An organisation's part in a process, with its CQC ratings where it is linked to CQC locations."""

    name: str
    roles: list[str]
    organisation_id: int
    ratings: list[CqcLocation]


def process_involved(*, process: Process) -> list[Involved]:
    """Who is involved in a process: buyers first, then providers, then the rest, with CQC ratings."""
    order = {"buyer": 0, "procuringEntity": 1, "supplier": 2, "tenderer": 3}
    parts = process.parties.select_related("organisation").prefetch_related("organisation__identifiers")
    involved = [
        Involved(part.name or part.organisation.name, part.roles, part.organisation_id, ratings_for(part.organisation))
        for part in parts
    ]
    return sorted(involved, key=lambda item: (min((order.get(r, 9) for r in item.roles), default=9), item.name))


def parts_played_by(
    *, scheme: str, identifier: str, ocid: str | None = None, party_id: str | None = None
) -> list[ProcessParty]:
    """The parts the organisation with this identifier plays, in one process or in all, newest process first.

    The scheme is compared as the registry stores it (upper case), so 'gb-coh' and 'GB-COH' are one scheme. With
    ``party_id``, only the parts where the organisation appears as the party with that id (what publishing
    permissions use: a link between organisations never lends one the other's parts).
    """
    parts = ProcessParty.objects.filter(
        organisation__identifiers__scheme=scheme.strip().upper(),
        organisation__identifiers__identifier=identifier.strip(),
    )
    if ocid is not None:
        parts = parts.filter(process__ocid=ocid)
    if party_id is not None:
        parts = parts.filter(party_id=party_id)
    return list(
        parts.select_related("process").defer("process__compiled_release").order_by("-process__last_release_date")
    )


def linked_releases(ocids: list[str]) -> dict[str, list[tuple[str, Any, list[str]]]]:
    """Each process's releases as (id, date, tags), in date order, in one query: what a record lists of them."""
    linked: dict[str, list[tuple[str, Any, list[str]]]] = {ocid: [] for ocid in ocids}
    rows = Release.objects.filter(ocid__in=ocids).order_by("ocid", "date", "id")
    for ocid, release_id, date, tags in rows.values_list("ocid", "release_id", "date", "tags"):
        linked[ocid].append((release_id, date, tags))
    return linked


def extensions_declared(releases: Iterable[Release]) -> list[str]:
    """The extensions the packages of these releases declared, each once, in the order first seen: a package of
    them must declare them too, or readers would check their fields against core OCDS only."""
    return _unique_urls((release.package_metadata or {}).get("extensions") for release in releases)


def extensions_of_processes(ocids: list[str] | QuerySet[Process] | None = None) -> list[str]:
    """The extensions declared by the packages of every stored release of these processes (given by OCID, or as a
    query of processes; every process for None): one query over the distinct lists of extensions, which are few,
    since a source's packages share one."""
    if ocids is None:
        releases = Release.objects.all()
    elif isinstance(ocids, QuerySet):  # a subquery: the social-care subset may be too many OCIDs to send
        releases = Release.objects.filter(ocid__in=ocids.values("ocid"))
    else:
        releases = Release.objects.filter(ocid__in=ocids)
    lists = releases.order_by().values_list("package_metadata__extensions", flat=True).distinct()
    # Sorted, so that the same releases always give the same list, whatever order the database returns them in.
    return _unique_urls(sorted(lists, key=lambda extensions: str(extensions)))


def _unique_urls(lists: Iterable[Any]) -> list[str]:
    found: dict[str, None] = {}
    for extensions in lists:
        for url in extensions if isinstance(extensions, list) else []:
            if isinstance(url, str):
                found.setdefault(url, None)
    return list(found)


def identifier_holders(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Which organisation holds each of these (scheme, identifier) keys, for those held."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = OrganisationIdentifier.objects.filter(identifier__in={value for _, value in wanted})
    return {
        (scheme, value): organisation
        for scheme, value, organisation in rows.values_list("scheme", "identifier", "organisation_id")
        if (scheme, value) in wanted
    }


def trusted_identifiers_of(*, scheme: str, identifier: str) -> set[tuple[str, str]]:
    """The identifiers linked on trusted evidence to the organisation holding this one (empty if none holds it)."""
    held = OrganisationIdentifier.objects.filter(scheme=scheme.strip().upper(), identifier=identifier.strip())
    rows = OrganisationIdentifier.objects.filter(organisation__in=held.values("organisation"), trusted=True)
    return set(rows.values_list("scheme", "identifier"))
