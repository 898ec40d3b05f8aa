"""Harvests on a schedule: the task worker queues a harvest of each source named in OPENCARE_HARVEST every
OPENCARE_HARVEST_EVERY minutes (opencare.task_worker calls ``queue_due_harvests`` with each heartbeat).

Many workers may share one database: a harvest is queued by whichever first moves the source's ``next_scheduled``
on, in one conditional UPDATE, so a source is queued once per period however many workers look. None is queued while
a harvest of the source still holds it, and a harvest that finds its source held does nothing (services.harvest).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from opencare.harvest.models import HarvestProgress
from opencare.harvest.services import HarvestRequest, harvest
from opencare.harvest.sources import SOURCES

logger = logging.getLogger(__name__)


@task()
def harvest_on_schedule(source: str) -> None:
    """Harvest the source from where its last harvest stopped until now (its run records what happened)."""
    run = harvest(HarvestRequest(source))
    logger.info("Harvest %s of %s: %s, %s added, %s errors", run.pk, source, run.status, run.added, len(run.errors))


def scheduled_sources() -> list[str]:
    """The sources OPENCARE_HARVEST names that exist; an unknown name is logged and left out."""
    names = []
    for name in settings.OPENCARE_HARVEST:
        if name in SOURCES:
            names.append(name)
        else:
            logger.warning("OPENCARE_HARVEST names %r, which is no source (the sources: %s)", name, ", ".join(SOURCES))
    return names


def queue_due_harvests(now: datetime | None = None) -> list[str]:
    """Queue a harvest of each scheduled source that is due and not being harvested; the sources queued."""
    now = now or timezone.now()
    every = timedelta(minutes=settings.OPENCARE_HARVEST_EVERY)
    queued = []
    for name in scheduled_sources():
        HarvestProgress.objects.get_or_create(source=name)
        due = Q(next_scheduled__isnull=True) | Q(next_scheduled__lte=now)
        free = Q(held_by_run__isnull=True) | Q(held_until__lt=now)
        if HarvestProgress.objects.filter(due, free, source=name).update(next_scheduled=now + every):
            harvest_on_schedule.enqueue(name)
            queued.append(name)
    return queued
