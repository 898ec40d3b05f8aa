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
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencare.harvest.client import PoliteClient
from opencare.harvest.models import HarvestProgress, HarvestRun
from opencare.harvest.pages import Page, Resume, Stopped, harvest_pages
from opencare.harvest.sources import HarvestSource, RateLimit, Window, harvest_source
from opencare.registry.imports import import_releases, package_source

#: How far back a source's first harvest goes when no --since is given.
FIRST_HARVEST = timedelta(days=7)
#: How long a run's hold on its source lasts without a new page (waits for Retry-After included) before another
#: harvest may take the source over.
HOLD = timedelta(minutes=30)
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
) -> HarvestRun:
    """Harvest a source into the registry and return the run, finished, with its status and errors.

    Raises sources.UnknownSource for a name that is no source. ``clock`` and ``sleep`` are the client's (tests wait
    out a Retry-After without sleeping); ``rate_limit`` None sends requests as fast as the source answers.
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
        errors = _store_pages(harvest_pages(source, windows, client, resume=resume), run, source)
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


def _store_pages(pages: Iterator[Page | Stopped], run: HarvestRun, source: HarvestSource) -> list[str]:
    """Store each page with the progress it makes; the errors met, in words."""
    errors: list[str] = []
    for item in pages:
        if isinstance(item, Stopped):
            errors.append(item.message)
            run.requests = item.requests
            if item.page is not None:
                errors += _store_page(item.page, run, source)
            run.save(update_fields=["requests"])
            break
        errors += _store_page(item, run, source)
    return errors


def _store_page(page: Page, run: HarvestRun, source: HarvestSource) -> list[str]:
    """One page's releases, the source's progress and the run's counts, in one transaction."""
    with transaction.atomic():
        publisher = package_source(page.metadata, fallback_key=f"harvest:{source.name}", fallback_title=source.title)
        imported = import_releases(
            page.releases, metadata=page.metadata, source=publisher, social_care_only=run.social_care_only,
            nul_possible=page.nul_possible,
        )  # fmt: skip
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
        run.requests = page.requests
        run.pages += 1
        run.releases_read += len(page.releases)
        run.added += imported.added
        run.already_stored += imported.already_stored
        run.flagged += imported.flagged
        run.not_social_care += imported.not_social_care
        run.errors += [f"{message}, at {page.url}" for message in imported.not_storable]
        run.save()
    return [f"{message}, at {page.url}" for message in imported.not_storable]


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
