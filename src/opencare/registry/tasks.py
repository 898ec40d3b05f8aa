"""Background tasks of the registry, run by the database-backed task worker (`opencare worker`)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from opencare.registry import bulk


@task()
def rebuild_bulk_downloads() -> None:
    """Remake the bulk downloads if a change is waiting for them (registry.bulk); if another rebuild is running,
    try again later rather than keep a worker waiting for it (that rebuild may not have seen the latest change)."""
    try:
        bulk.rebuild_if_due()
    except bulk.RebuildRunning:
        bulk.enqueue_rebuild(delay=settings.OPENCARE_BULK_REBUILD_DELAY_SECONDS)
