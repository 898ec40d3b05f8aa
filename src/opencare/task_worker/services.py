"""Keeping the task queue whole when workers die.

django-tasks-db marks a task RUNNING when a worker claims it and only changes that when the task ends, so a worker
that is killed (SIGKILL, out of memory, the machine lost) leaves its task RUNNING for ever and nobody runs it. Each
`opencare worker` therefore says it is alive every few seconds (`beat`), and every worker, at start and with each
beat, puts back in the queue any task that has been RUNNING for longer than OPENCARE_TASK_WORKER_LOST_SECONDS under
a worker that has not been heard from for that long (`recover_lost_tasks`). Tasks must therefore be safe to run
again from the start: the Data Review Tool's are.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from opencare.task_worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: A task whose worker has died this many times is marked failed rather than put back again, so one that kills its
#: worker each time (say, by running it out of memory) cannot take the workers down for ever.
MAX_RUNS = 5
#: Workers not heard from for this long are forgotten (their tasks were put back long before).
FORGET_AFTER = timedelta(days=1)


class WorkerLost(Exception):
    """What a task given up after MAX_RUNS lost workers is marked as failing with."""


@dataclass
class Recovery:
    """What recovering did: the ids of the tasks put back in the queue, and of those given up."""

    put_back: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)


def lost_after() -> timedelta:
    """How long a worker may go unheard before its tasks are taken from it."""
    return timedelta(seconds=settings.OPENCARE_TASK_WORKER_LOST_SECONDS)


def beat(worker_id: str, now: datetime | None = None) -> None:
    """Say that this worker is alive."""
    now = now or timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(), seen_at=now
        )


def sign_off(worker_id: str) -> None:
    """Forget a worker that is stopping cleanly (it finishes its task first)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def recover_lost_tasks(now: datetime | None = None) -> Recovery:
    """Put back in the queue every task whose worker is gone; give up on a task after MAX_RUNS lost workers."""
    now = now or timezone.now()
    cutoff = now - lost_after()
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gt=cutoff).values_list("worker_id", flat=True))
    recovery = Recovery()
    for task in DBTaskResult.objects.running().filter(started_at__lte=cutoff):
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue  # a long task, and its worker is still saying so
        _put_back(task, recovery, now, why="its worker stopped without finishing it")
    WorkerHeartbeat.objects.filter(seen_at__lte=now - FORGET_AFTER).delete()
    return recovery


def put_back_own_tasks(worker_id: str, now: datetime | None = None) -> Recovery:
    """Put back the tasks this worker had claimed when it lost the database (it is running none of them now)."""
    now = now or timezone.now()
    recovery = Recovery()
    for task in DBTaskResult.objects.running():
        if task.worker_ids and task.worker_ids[-1] == worker_id:
            _put_back(task, recovery, now, why="the database went away while it ran")
    return recovery


def _put_back(task: DBTaskResult, recovery: Recovery, now: datetime, why: str) -> None:
    """Put one task back (or give it up), unless someone else has meanwhile: only if it is still as we read it."""
    still_lost = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at)
    runs = len(task.worker_ids)
    if runs >= MAX_RUNS:
        given_up = still_lost.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"The worker running this task stopped before it finished, {runs} times; it is not run again.",
        )
        if given_up:
            recovery.given_up.append(str(task.pk))
            logger.error("Gave up task %s (%s): %s, %d times", task.pk, task.task_path, why, runs)
        return
    if still_lost.update(status=TaskResultStatus.READY, started_at=None):
        recovery.put_back.append(str(task.pk))
        logger.warning("Put task %s (%s) back in the queue: %s (run %d)", task.pk, task.task_path, why, runs)
