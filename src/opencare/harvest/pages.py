"""The pages of a harvest, fetched and read without the database: where to start (a window's first request, or the
page after the last one stored), each page's releases, and where its ``links.next`` goes.

Reading a page uses the same reader as ``opencare import`` (opencare.ocds.readers), with its guards, so a page is
read exactly as the same package in a file would be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from opencare.harvest.client import FetchError, OtherHostRefused, PoliteClient, same_origin
from opencare.harvest.sources import HarvestSource, Window
from opencare.ocds.readers import InputError
from opencare.registry.imports import read_page as read_releases_of_page


@dataclass(frozen=True)
class Resume:
    """Where in a window a harvest starts: which step, and the page of that step (None: the step's first)."""

    window: Window
    step: int = 0
    url: str | None = None


@dataclass
class Page:
    """One page read: its releases and package metadata, and what comes after it.

    ``next_step`` and ``next_url`` say where the harvest goes on after this page within its window (``next_url``
    None: the first page of ``next_step``); ``window_done`` says this was the window's last page.
    """

    window: Window
    url: str
    releases: list[Any]
    metadata: dict[str, Any]
    next_step: int
    next_url: str | None
    window_done: bool
    nul_possible: bool
    requests: int  # every request sent so far in the harvest, this page's included


@dataclass
class Stopped:
    """The harvest could not go on: why, and the page it stopped at (stored pages before it are kept)."""

    message: str
    url: str
    requests: int
    page: Page | None = field(default=None)  # a page read whose link onward was refused: its releases are stored


def harvest_pages(
    source: HarvestSource, windows: Iterator[Window], client: PoliteClient, *, resume: Resume | None = None
) -> Iterator[Page | Stopped]:
    """Every page of every window, in order, starting at ``resume`` when given; a Stopped ends it."""
    for plan in _plans(resume, windows):
        urls = source.first_urls(plan.window, client.base_url)
        step, url = plan.step, plan.url or (urls[plan.step] if plan.step < len(urls) else None)
        while url is not None:
            try:
                body = client.get(url)
                releases, metadata = read_page(body, source.title, url)
            except FetchError as error:
                yield Stopped(str(error), url, client.requests)
                return
            links = metadata.pop("links", None)
            next_link = links if isinstance(links, dict) else {}
            following = next_link.get("next") if isinstance(next_link.get("next"), str) and next_link["next"] else None
            if following == url:  # a page that names itself as the next would be read for ever
                following = None
            if following is not None and not same_origin(following, client.base_url):
                message = str(OtherHostRefused(
                    f"{source.title} gave a links.next to {following}, which is not on {client.base_url}: it was not "
                    f"followed, and the harvest stopped at {url}. How to fix it: nothing, if the data is wrong (the "
                    f"next harvest tries this page again); if the API has moved, give its new base with --base-url"
                ))  # fmt: skip
                page = Page(
                    plan.window, url, releases, metadata, step, url, False, b"\\u0000" in body, client.requests
                )
                yield Stopped(message, url, client.requests, page)
                return
            page_url = url
            if following is None:
                step, url = step + 1, (urls[step + 1] if step + 1 < len(urls) else None)
            else:
                url = following
            yield Page(plan.window, page_url, releases, metadata, step, following, url is None,
                       b"\\u0000" in body, client.requests)  # fmt: skip


def _plans(resume: Resume | None, windows: Iterator[Window]) -> Iterator[Resume]:
    if resume is not None:
        yield resume
    for window in windows:
        yield Resume(window)


def read_page(body: bytes, title: str, url: str) -> tuple[list[Any], dict[str, Any]]:
    """A page's releases and its package metadata (``links`` included); FetchError when it cannot be read.

    A package with no ``releases`` at all (the Proactis APIs give one for a month with no notices of a type) is a
    page with no releases."""
    try:
        read = read_releases_of_page(body)
        return read.releases, read.metadata
    except InputError as error:
        if (empty := _package_without_releases(body)) is not None:
            return [], empty
        why = str(error).rstrip(".")
        raise FetchError(
            f"{title} gave a page that cannot be read, at {url}: {why}. How to fix it: nothing here, if the source "
            f"published it so; tell its publisher. The pages before it are stored; the next harvest tries it again"
        ) from None


def _package_without_releases(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict) and not {"releases", "records", "ocid"} & set(parsed):
        return parsed
    return None
