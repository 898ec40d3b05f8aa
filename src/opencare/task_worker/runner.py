"""Running `opencare worker`: django-tasks-db's worker loop, with a heartbeat, recovery, and patience with the
database.

The loop itself is django-tasks-db's (claim the next task, run it, mark it done). Around it: a thread that says the
worker is alive every few seconds, puts back tasks whose worker died (services.py) and queues the harvests that are
due (opencare.harvest.schedule); and, when the database goes
away (PostgreSQL restarting), a wait and another try instead of the worker dying, after putting back any task it had
claimed (a task whose end could not be recorded runs again: tasks are safe to run again).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from opencare.harvest.schedule import queue_due_harvests
from opencare.task_worker import services

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
#: Seconds between tries while the database cannot be reached.
RETRY_SECONDS = 1.0


def new_worker_id() -> str:
    """An id unique across every worker on every machine (at most 64 characters, as django-tasks-db allows)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def heartbeat_seconds() -> float:
    """How often a worker says it is alive: six times in the time after which it would count as lost."""
    return max(0.1, settings.OPENCARE_TASK_WORKER_LOST_SECONDS / 6)


class Heartbeat:
    """A thread saying the worker is alive and recovering lost tasks, every heartbeat_seconds(), until stopped."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opencare-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        failing = False
        while not self._stopped.wait(heartbeat_seconds()):
            try:
                close_old_connections()  # a connection the database dropped is replaced, not reused
                services.beat(self.worker_id)
                services.recover_lost_tasks()
                queue_due_harvests()
                failing = False
            except DATABASE_ERRORS as error:
                if not failing:
                    logger.warning("Heartbeat: the database cannot be reached (%s); trying again", error)
                failing = True
                connection.close()
        connection.close()


#: The queues ("lanes") a worker takes tasks from, by the name `opencare worker --lane` gives them.
LANES = {"all": ["default", "small"], "default": ["default"], "small": ["small"]}


def run_worker(*, interval: float, lane: str = "all") -> None:
    """Run queued tasks until told to stop (SIGTERM or Ctrl-C: the task in hand is finished first).

    ``lane``: "all" takes tasks from every queue; "small" only small reviews (so they never wait behind a huge
    one); "default" only the main queue.
    """
    worker_id = new_worker_id()
    worker = Worker(
        queue_names=LANES[lane], interval=interval, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )  # fmt: skip
    worker.configure_signals()
    heartbeat = Heartbeat(worker_id)
    logger.info("Task worker %s started (lane: %s); tasks of workers unheard for %ss are put back", worker_id, lane,
                settings.OPENCARE_TASK_WORKER_LOST_SECONDS)  # fmt: skip
    try:
        _when_the_database_answers(
            lambda: (services.beat(worker_id), services.recover_lost_tasks(), queue_due_harvests())
        )
        heartbeat.start()
        while True:
            try:
                worker.run()
                return
            except DATABASE_ERRORS as error:
                logger.warning("The database cannot be reached (%s); trying again", error)
                _when_the_database_answers(lambda: services.put_back_own_tasks(worker_id))
    finally:
        heartbeat.stop()
        with contextlib.suppress(*DATABASE_ERRORS):  # unsigned, it counts as lost (with no task) and is forgotten
            services.sign_off(worker_id)


def _when_the_database_answers(work: Callable[[], object]) -> None:
    """Do some database work, waiting and trying again for as long as the database cannot be reached."""
    while True:
        try:
            close_old_connections()
            work()
            return
        except DATABASE_ERRORS:
            connection.close()
            time.sleep(RETRY_SECONDS)
