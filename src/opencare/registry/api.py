"""The OCDS API: release and record packages by ocid, paged lists with filters, organisations.

Lists page with a cursor (the last primary key seen) in `links.next`, as the OCDS pagination extension describes,
so a page's address never shifts as data arrives. Lists are in primary key order, but with words (`q`): those are
matched by the search page's search (registry.search) and listed in its order, most recently updated first. Every
answer carries an ETag and caching headers; a request with a matching If-None-Match gets 304
(ConditionalGetMiddleware).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from opencare.ocds.extensions_used import declared_and_used
from opencare.ocds.merge import versioned_release
from opencare.registry import selectors
from opencare.registry.answer_cache import kept_answer
from opencare.registry.models import Process, Release
from opencare.registry.packages import package_metadata, site_url

router = Router(tags=["Registry (OCDS)"])

#: Items per page unless `limit` says otherwise, and the most it may say.
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
#: A date (2025-01-31) or a date and time (2025-01-31T12:00:00Z, or with an offset).
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"
#: How long shared caches may keep an answer, in seconds.
CACHE_SECONDS = 60
#: The longest text filter, as on the search page: longer is no search (and past 50,000 bytes SQLite cannot match it).
MAX_TEXT = 200


class Filters(Schema):
    """Filters for the lists. Text filters match part of a name, case-insensitively."""

    buyer: str = ""
    supplier: str = ""
    cpv: str = ""
    q: str = Field("", description="Words, as the search page takes them: every word must match, newest first.")
    social_care: bool | None = None
    date_from: str | None = Field(None, pattern=DATE_PATTERN, description="A date, or a date and time (ISO 8601).")
    date_to: str | None = Field(None, pattern=DATE_PATTERN, description="A date, or a date and time (ISO 8601).")
    updated_since: str | None = Field(None, pattern=DATE_PATTERN, description="A date, or a date and time.")
    cursor: int = 0
    limit: int = DEFAULT_LIMIT

    def criteria(self) -> selectors.ProcessFilter:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
        for name in ("buyer", "supplier", "q"):
            _check_text(name, getattr(self, name))
        if self.cpv and not self.cpv.isdigit():
            raise HttpError(400, "cpv must be digits: a CPV code or its first digits, e.g. 853")
        return selectors.ProcessFilter(
            buyer=self.buyer.strip(),
            supplier=self.supplier.strip(),
            cpv=self.cpv,
            q=self.q.strip(),
            social_care=self.social_care,
            date_from=_iso(self.date_from, "date_from"),
            date_to=_iso(self.date_to, "date_to"),
            updated_since=_iso(self.updated_since, "updated_since"),
        )


class DetailOut(Schema):
    """What is wrong with the request."""

    detail: Any


class PackageOut(Schema):
    """An OCDS release or record package (see the OCDS schema for its fields)."""

    uri: str
    version: str
    publishedDate: str
    publisher: dict[str, Any]
    license: str | None = None
    publicationPolicy: str | None = None
    extensions: list[str] | None = None
    links: dict[str, str] | None = None
    releases: list[dict[str, Any]] | None = None
    records: list[dict[str, Any]] | None = None


class OrganisationOut(Schema):
    id: int
    name: str
    identifiers: list[dict[str, str]]
    matched_by_name: bool
    processes: int | list[dict[str, Any]]


class PageOut(Schema):
    results: list[OrganisationOut]
    links: dict[str, str]


def _json(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    # The publication date changes every second; the ETag is of the data alone, so unchanged data revalidates.
    stable = {key: value for key, value in document.items() if key != "publishedDate"}
    etag = '"' + hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32] + '"'
    return _answer(orjson.dumps(document), etag)


def _answer(body: bytes, etag: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def cached_answer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the operation's answers per web worker until new data arrives (OPENCARE_API_CACHE_SECONDS).

    Defined here, not with the shared decorator, because django-ninja resolves the operation's annotations in the
    wrapper's module.
    """

    @functools.wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return kept_answer(request, "OPENCARE_API_CACHE_SECONDS", lambda: view(request, *args, **kwargs))

    return answer


@router.get(
    "/releases", response={200: PackageOut, 400: DetailOut, 422: DetailOut}, summary="Releases, a page at a time"
)
@cached_answer
def release_list(request: HttpRequest, filters: Query[Filters]) -> HttpResponse:
    """A release package of stored releases, oldest stored first, filtered; `links.next` gives the next page."""
    releases = selectors.filtered_releases(filters.criteria()).filter(pk__gt=filters.cursor)
    page = list(releases.only("pk", "data", "package_metadata")[: filters.limit])
    releases = [release.data for release in page]
    package = _package(request, declared_and_used(selectors.extensions_declared(page), releases), releases=releases)
    _add_next(request, package, page, filters.limit)
    return _json(request, package)


@router.get("/releases/{ocid}", response={200: PackageOut, 404: DetailOut}, summary="Every release of a process")
@cached_answer
def release_package(request: HttpRequest, ocid: str) -> HttpResponse:
    """A release package of every release of one contracting process, in date order."""
    stored = list(selectors.process_releases(ocid=ocid))
    if not stored:
        raise HttpError(404, "No contracting process has that OCID.")
    releases = [release.data for release in stored]
    extensions = declared_and_used(selectors.extensions_declared(stored), releases)
    return _json(request, _package(request, extensions, releases=releases))


@router.get(
    "/records",
    response={200: PackageOut, 400: DetailOut, 422: DetailOut},
    summary="Records (compiled releases), a page at a time",
)
@cached_answer
def record_list(request: HttpRequest, filters: Query[Filters]) -> HttpResponse:
    """A record package with each matching process's compiled release; `links.next` gives the next page."""
    processes = selectors.filtered_processes(filters.criteria(), after=filters.cursor)
    page = list(processes.only("pk", "ocid", "compiled_release")[: filters.limit])
    linked = selectors.linked_releases([process.ocid for process in page])
    records = [
        {"ocid": process.ocid, "releases": [_linked(process.ocid, *release) for release in linked[process.ocid]],
         "compiledRelease": process.compiled_release}
        for process in page
    ]  # fmt: skip
    declared = selectors.extensions_of_processes([process.ocid for process in page]) if page else []
    extensions = declared_and_used(declared, [process.compiled_release for process in page])
    package = _package(request, extensions, records=records)
    _add_next(request, package, page, filters.limit)
    return _json(request, package)


@router.get("/records/{ocid}", response={200: PackageOut, 404: DetailOut, 422: DetailOut}, summary="One record")
@cached_answer
def record_package(request: HttpRequest, ocid: str, versioned: bool = False) -> HttpResponse:
    """A record package for one process: every release and the compiled release; `versioned=true` adds the
    versioned release (each field's history, with the release that set each value)."""
    process = selectors.process_by_ocid(ocid=ocid)
    if process is None:
        raise HttpError(404, "No contracting process has that OCID.")
    stored = list(selectors.process_releases(ocid=ocid))
    releases = [release.data for release in stored]
    record = {"ocid": ocid, "releases": releases, "compiledRelease": process.compiled_release}
    if versioned:
        try:
            record["versionedRelease"] = versioned_release(releases)
        except Exception as error:  # releases that cannot be merged: say so, do not fail the record
            record["versionedRelease"] = None
            record["x_versionedReleaseError"] = f"{type(error).__name__}: {error}"
    extensions = declared_and_used(selectors.extensions_declared(stored), releases)
    return _json(request, _package(request, extensions, records=[record]))


@router.get(
    "/organisations",
    response={200: PageOut, 400: DetailOut, 422: DetailOut},
    summary="Organisations, a page at a time",
)
@cached_answer
def organisation_list(request: HttpRequest, q: str = "", cursor: int = 0, limit: int = DEFAULT_LIMIT) -> HttpResponse:
    """Councils, NHS bodies and providers, with their identifiers and how many processes they take part in."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
    _check_text("q", q)
    page = list(selectors.organisation_list(q=q.strip()).filter(pk__gt=cursor)[:limit])
    document: dict[str, Any] = {"results": [_organisation(org, org.process_total) for org in page], "links": {}}
    _add_next(request, document, page, limit)
    return _json(request, document)


@router.get(
    "/organisations/{pk}", response={200: OrganisationOut, 404: DetailOut, 422: DetailOut}, summary="One organisation"
)
@cached_answer
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation with every process it takes part in, and its roles there."""
    organisation = selectors.organisation_by_id(pk=pk)
    if organisation is None:
        raise HttpError(404, "No organisation has that id.")
    parts = [
        {"ocid": part.process.ocid, "title": part.process.title, "roles": part.roles, "name_given": part.name}
        for part in selectors.organisation_processes(organisation=organisation)
    ]
    return _json(request, _organisation(organisation, parts))


def _organisation(organisation: Any, processes: int | list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "identifiers": [{"scheme": i.scheme, "id": i.identifier} for i in organisation.identifiers.all()],
        "matched_by_name": organisation.matched_by_name,
        "processes": processes,
    }


def _package(request: HttpRequest, extensions: list[str], **items: list[dict[str, Any]]) -> dict[str, Any]:
    """The package's metadata (registry.packages, as the bulk downloads have it) and its releases or records."""
    return package_metadata(path=request.get_full_path(), extensions=extensions) | items


def _linked(ocid: str, release_id: str, date: datetime | None, tags: list[str]) -> dict[str, Any]:
    """A linked release, as a record must list its releases: where to read it (in its process's release package),
    its date and tags."""
    return {
        "url": site_url(f"/api/releases/{quote(ocid, safe='')}#{quote(release_id, safe='')}"),
        "date": date.strftime("%Y-%m-%dT%H:%M:%SZ") if date else None,
        "tag": tags,
    }


def _add_next(request: HttpRequest, document: dict[str, Any], page: list[Release | Process | Any], limit: int) -> None:
    if len(page) == limit:
        query = {**request.GET.dict(), "cursor": str(page[-1].pk)}
        document["links"] = {"next": site_url(f"{request.path}?{urlencode(query)}")}


def _check_text(name: str, text: str) -> None:
    """A 400 naming the filter if its text is longer than any name or words searched for."""
    if len(text) > MAX_TEXT:
        raise HttpError(400, f"{name} is {len(text):,} characters long: a filter is at most {MAX_TEXT} characters")


def _iso(text: str | None, name: str) -> str:
    """An ISO date or date-time, in UTC unless it says otherwise; a 400 naming the parameter if it is no date."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HttpError(400, f"{name} is not a real date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
