"""Running a harvest: a source's pages stored window by window, each page in one transaction with the source's
progress and the run's counts, so a harvest killed at any moment loses nothing and stores nothing twice, and the
next one goes on from the page after the last stored.

Never two harvests of one source at once: a run holds its source (``HarvestProgress.held_*``) while it runs,
renewing the hold with each page; a hold that has run out, or whose process is gone from this machine, is taken over.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencare.harvest.client import PoliteClient
from opencare.harvest.models import HarvestProgress, HarvestRun
from opencare.harvest.pages import Page, Resume, Stopped, harvest_pages
from opencare.harvest.sources import HarvestSource, RateLimit, Window, harvest_source
from opencare.ocds.forked import fork
from opencare.ocds.merge import package_version
from opencare.ocds.schema_check import release_validator
from opencare.registry.imports import import_releases, package_source, storable_releases
from opencare.registry.prepared import PreparedReleases, prepare_releases
from opencare.registry.services import StoreResult, store_prepared

#: How far back a source's first harvest goes when no --since is given.
FIRST_HARVEST = timedelta(days=7)
#: How long a run's hold on its source lasts without a new page (waits for Retry-After included) before another
#: harvest may take the source over.
HOLD = timedelta(minutes=30)
#: Releases stored at most per transaction when pages come faster than they are stored (a second process).
BATCH = 1000
#: Keep the source's default rate limit (a harvest may also be given one, or None for none at all).
DEFAULT = RateLimit(0, 0)


@dataclass(frozen=True)
class HarvestRequest:
    """What to harvest: the source, from when to when (None: from where the last harvest stopped, and until now),
    from which address (None: the source's own), and whether to keep only social-care processes."""

    source: str
    since: datetime | None = None
    until: datetime | None = None
    base_url: str | None = None
    social_care_only: bool = False


def harvest(
    request: HarvestRequest,
    *,
    rate_limit: RateLimit | None = DEFAULT,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = 5,
    second_process: bool | None = None,
) -> HarvestRun:
    """Harvest a source into the registry and return the run, finished, with its status and errors.

    Raises sources.UnknownSource for a name that is no source. ``clock`` and ``sleep`` are the client's (tests wait
    out a Retry-After without sleeping); ``rate_limit`` None sends requests as fast as the source answers.
    ``second_process`` prepares pages in a forked process while this one stores (by default, with no rate limit).
    """
    source = harvest_source(request.source)
    base_url = request.base_url or source.base_url
    now = timezone.now()
    progress, _ = HarvestProgress.objects.get_or_create(source=source.name)
    run = HarvestRun.objects.create(source=source.name, social_care_only=request.social_care_only)
    if not _hold(progress, run, now):
        return _finish(run, HarvestRun.Status.SKIPPED, [
            f"Another harvest of {source.title} is running (run {progress.held_by_run}), so this one did nothing. "
            "How to fix it: wait for that one to finish; the next harvest goes on from where it stops"
        ])  # fmt: skip
    try:
        client = PoliteClient(
            source, base_url=base_url, contact=settings.OPENCARE_HARVEST_CONTACT,
            rate_limit=source.rate_limit if rate_limit is DEFAULT else rate_limit, clock=clock, sleep=sleep,
            attempts=attempts,
        )  # fmt: skip
        until = request.until or now
        resume, windows = _start(source, progress, request.since, until, now)
        run.window_start = resume.window.start if resume else None
        run.window_end = until
        run.save(update_fields=["window_start", "window_end"])
        pages = harvest_pages(source, windows, client, resume=resume)
        # Where requests are not held back by a rate limit, storing is the bound: pages are then prepared by a
        # second process meanwhile (not when keeping social care only, which asks the registry what it holds).
        second = rate_limit is None and not request.social_care_only if second_process is None else second_process
        errors = _store_pages((_in_a_second_process if second else _in_this_process)(pages), run, source)
    except Exception as error:
        # Not the source's doing (the database went away, a fault in opencare): the run says so, then it is raised.
        run.refresh_from_db()
        _finish(run, HarvestRun.Status.FAILED, [f"The harvest stopped unexpectedly: {type(error).__name__}: {error}"])
        raise
    finally:
        HarvestProgress.objects.filter(pk=progress.pk, held_by_run=run.pk).update(
            held_by_run=None, held_until=None, held_by_host="", held_by_pid=None
        )
    if not errors:
        status = HarvestRun.Status.SUCCEEDED
    else:
        status = HarvestRun.Status.PARTLY_FAILED if run.pages else HarvestRun.Status.FAILED
    return _finish(run, status, errors)


def _start(
    source: HarvestSource, progress: HarvestProgress, since: datetime | None, until: datetime, now: datetime
) -> tuple[Resume | None, Iterator[Window]]:
    """Where the harvest starts: the window under way when the last harvest stopped (if it starts where this one
    does), with its step and page, then the windows after it up to ``until``."""
    under_way = progress.window_start is not None and progress.window_end is not None
    start = since or (progress.window_start if under_way else progress.done_until) or now - FIRST_HARVEST
    if start >= until:
        return None, iter(())
    if under_way and progress.window_start == start:
        window = Window(progress.window_start, progress.window_end)
        resume = Resume(window, progress.step, progress.next_url or None)
        return resume, source.windows(window.end, until)
    windows = source.windows(start, until)
    first = next(windows, None)
    return (Resume(first) if first else None), windows


@dataclass
class PreparedPage:
    """A page read, with its releases prepared for storing (registry.prepared) when that was done beforehand."""

    page: Page
    release_count: int
    prepared: PreparedReleases | None = None  # None: the page's releases are still in ``page``, to import here
    not_storable: list[str] = field(default_factory=list)


def _in_this_process(pages: Iterator[Page | Stopped]) -> Iterator[list[PreparedPage | Stopped]]:
    for item in pages:
        yield [PreparedPage(item, len(item.releases)) if isinstance(item, Page) else item]


def _prepared(page: Page) -> PreparedPage:
    """The page's storable releases prepared, with no database: what a harvest's second process does."""
    kept, not_storable = storable_releases(page.releases, nul_possible=page.nul_possible)
    # Harvested releases are never invented: their sources' keys are "publisher:..." or "harvest:...", never "demo:".
    prepared = prepare_releases(
        kept, metadata=page.metadata, is_invented=False, ocds_version=package_version(page.metadata, is_package=True)
    )
    count, page.releases = len(page.releases), []  # the parsed releases are not sent back: only what is stored
    return PreparedPage(page, count, prepared, not_storable)


def _in_a_second_process(pages: Iterator[Page | Stopped]) -> Iterator[list[PreparedPage | Stopped]]:
    """Pages fetched, read and prepared by a forked process while this one stores the page before (two cores, as
    `opencare import` does); it never touches the database. The pages ready when one is taken are taken with it, up
    to BATCH releases, to be stored in one transaction. When this process is killed, the other ends at its next
    send (ocds.forked)."""
    release_validator()  # built before forking, so both processes share it
    worker = fork(_fetch_and_prepare, pages)
    try:
        finished = False
        while not finished:
            batch: list[PreparedPage | Stopped] = []
            while not batch or (
                isinstance(batch[-1], PreparedPage)
                and sum(item.release_count for item in batch if isinstance(item, PreparedPage)) < BATCH
                and worker.receiver.poll()
            ):
                try:
                    message = worker.receiver.recv()
                except EOFError:
                    message = Stopped("The process fetching the pages stopped unexpectedly. How to fix it: run the "
                                      "harvest again; it goes on from the last page stored", "", 0)  # fmt: skip
                if isinstance(message, BaseException):
                    raise message
                if message is None:
                    finished = True
                    break
                batch.append(message)
            if batch:
                yield batch
            finished = finished or not isinstance(batch[-1], PreparedPage)
    finally:
        worker.stop()


def _fetch_and_prepare(pages: Iterator[Page | Stopped], sender: Any) -> None:
    try:
        for item in pages:
            if isinstance(item, Stopped) and item.page is not None:
                prepared = _prepared(item.page)
                item.page = None
                sender.send(prepared)
            sender.send(_prepared(item) if isinstance(item, Page) else item)
        sender.send(None)
    except BrokenPipeError:
        raise  # the harvesting process has gone (stopped or killed): forked.fork ends this one
    except BaseException as error:
        sender.send(error)


def _store_pages(batches: Iterator[list[PreparedPage | Stopped]], run: HarvestRun, source: HarvestSource) -> list[str]:
    """Store each page with the progress it makes (a batch of pages in one transaction); the errors met, in words."""
    errors: list[str] = []
    for batch in batches:
        with transaction.atomic():
            for item in batch:
                if isinstance(item, PreparedPage):
                    errors += _store_page(item, run, source)
                    continue
                errors.append(item.message)
                if item.page is not None:
                    errors += _store_page(PreparedPage(item.page, len(item.page.releases)), run, source)
                run.requests = max(run.requests, item.requests)
                run.save(update_fields=["requests"])
                return errors
    return errors


def _store_page(item: PreparedPage, run: HarvestRun, source: HarvestSource) -> list[str]:
    """One page's releases, the source's progress and the run's counts, in one transaction."""
    page = item.page
    with transaction.atomic():
        publisher = package_source(page.metadata, fallback_key=f"harvest:{source.name}", fallback_title=source.title)
        if item.prepared is None:
            imported = import_releases(
                page.releases, metadata=page.metadata, source=publisher, social_care_only=run.social_care_only,
                nul_possible=page.nul_possible,
            )  # fmt: skip
            added, already, flagged, not_social_care = (imported.added, imported.already_stored, imported.flagged,
                                                         imported.not_social_care)  # fmt: skip
            not_storable = imported.not_storable
        else:
            stored = store_prepared(item.prepared, source=publisher) if item.prepared.releases else StoreResult()
            added, already, flagged, not_social_care = stored.added, stored.already_stored, stored.flagged, 0
            not_storable = item.not_storable
        window = page.window
        changes: dict[str, object] = {"held_until": timezone.now() + HOLD}
        if page.window_done:
            changes |= {"window_start": None, "window_end": None, "step": 0, "next_url": ""}
            progress = HarvestProgress.objects.select_for_update().get(source=source.name)
            if progress.done_until is None or progress.done_until < window.end:
                changes["done_until"] = window.end
        else:
            changes |= {"window_start": window.start, "window_end": window.end, "step": page.next_step,
                        "next_url": page.next_url or ""}  # fmt: skip
        HarvestProgress.objects.filter(source=source.name).update(**changes)
        errors = [f"{message}, at {page.url}" for message in not_storable]
        run.requests = max(run.requests, page.requests)
        run.pages += 1
        run.releases_read += item.release_count
        run.added += added
        run.already_stored += already
        run.flagged += flagged
        run.not_social_care += not_social_care
        run.errors += errors
        run.save()
    return errors


def _hold(progress: HarvestProgress, run: HarvestRun, now: datetime) -> bool:
    """Take the source for this run unless another live run holds it."""
    free = Q(held_by_run__isnull=True) | Q(held_until__lt=now)
    progress.refresh_from_db()
    if progress.held_by_run is not None and progress.held_by_host == socket.gethostname() and progress.held_by_pid \
            and not _process_alive(progress.held_by_pid):  # fmt: skip
        free |= Q(held_by_run=progress.held_by_run)  # killed on this machine: its hold is taken over at once
    taken = HarvestProgress.objects.filter(free, pk=progress.pk).update(
        held_by_run=run.pk, held_until=now + HOLD, held_by_host=socket.gethostname(), held_by_pid=os.getpid()
    )
    progress.refresh_from_db()
    return bool(taken)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _finish(run: HarvestRun, status: str, errors: list[str]) -> HarvestRun:
    run.status = status
    # Errors of releases were added page by page; the others (a page or a link) are added here.
    run.errors += [error for error in errors if error not in run.errors]
    run.finished_at = timezone.now()
    run.save()
    return run
