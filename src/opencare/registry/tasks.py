"""Background tasks of the registry, run by the database-backed task worker (`opencare worker`), and how changes
ask for them: the bulk downloads are remade after every committed change, many changes costing one rebuild."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from opencare.registry import bulk
from opencare.registry.models import BulkRebuild


@task()
def rebuild_bulk_downloads() -> None:
    """Remake the bulk downloads if a change is waiting for them (registry.bulk); if another rebuild is running,
    try again later rather than keep a worker waiting for it (that rebuild may not have seen the latest change)."""
    try:
        bulk.rebuild_if_due()
    except bulk.RebuildRunning:
        enqueue_rebuild(delay=settings.OPENCARE_BULK_REBUILD_DELAY_SECONDS)


def request_rebuild() -> None:
    """Note that the downloads are out of date and, unless a rebuild is already waiting, queue one to start after
    OPENCARE_BULK_REBUILD_DELAY_SECONDS (so that a burst of changes costs one rebuild). Call it once a change is
    committed; it does nothing when OPENCARE_BULK_REBUILD is off."""
    if not settings.OPENCARE_BULK_REBUILD:
        return
    now = timezone.now()
    # A marker older than this belongs to a rebuild that never ran (its task lost): take it over.
    stale = now - timedelta(seconds=settings.OPENCARE_BULK_REBUILD_DELAY_SECONDS + 600)
    _, created = BulkRebuild.objects.get_or_create(pk=bulk.MARKER_PK, defaults={"due_since": now})
    waiting = Q(due_since__isnull=True) | Q(due_since__lt=stale)
    if created or BulkRebuild.objects.filter(waiting, pk=bulk.MARKER_PK).update(due_since=now):
        enqueue_rebuild(delay=settings.OPENCARE_BULK_REBUILD_DELAY_SECONDS)


def enqueue_rebuild(*, delay: float) -> None:
    """Queue a rebuild to start after ``delay`` seconds (at once where the task backend cannot wait)."""
    task = rebuild_bulk_downloads
    if task.get_backend().supports_defer and delay > 0:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    task.enqueue()
