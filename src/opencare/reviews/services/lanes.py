"""The queue reviews wait in: its lanes, and the TaskQueue through which services queue work for the task worker
without importing the tasks (which import the services)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from django.conf import settings

from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.storage import SPREADSHEET_KINDS, review_folder, stored_input

#: The lanes reviews wait in (django-tasks queue names). Small inputs have a lane of their own, with a worker of its
#: own (`opencare serve` starts one; `opencare worker --lane small`), so a small upload never waits behind a huge one.
LANE = "default"
SMALL_LANE = "small"
#: Not a queue: the review `POST /api/review` does inside the request for a small input. Like the small lane, it must
#: be quick, so it gives up past OPENCARE_REVIEW_QUICK_SECONDS and queues the input in the main lane instead.
IN_REQUEST = "request"
QUICK = {SMALL_LANE, IN_REQUEST}
#: A spreadsheet takes about this many times longer to check than JSON of the same size (it is converted first).
SPREADSHEET_SLOWER = 10


class TaskQueue(Protocol):
    """Where services put work for the task worker: reviews.tasks has the one in use (tasks.QUEUE)."""

    def check(self, token: str, lane: str) -> None:
        """Queue the check of a stored upload in this lane (or the main lane, if the task backend has no such lane)."""

    def convert(self, token: str, lane: str) -> None:
        """Queue the downloads of a checked upload in this lane (or the main lane, likewise)."""


_queues: list[TaskQueue] = []


def use_task_queue(queue: TaskQueue) -> None:
    """Queue work through this from now on (apps.ReviewsConfig.ready gives it tasks.QUEUE)."""
    _queues[:] = [queue]


def task_queue() -> TaskQueue:
    """The queue work is put in; RuntimeError before Django has started the reviews app."""
    if not _queues:
        raise RuntimeError("No task queue for reviews: Django has not started the reviews app (django.setup()).")
    return _queues[0]


def enqueue_review(review: ReviewRequest, lane: str | None = None) -> None:
    """Queue the check of a stored upload in its lane: the small lane when it is small (lane_for), else the main."""
    task_queue().check(review.token, lane or lane_for(review))


def lane_for(review: ReviewRequest) -> str:
    """SMALL_LANE for an input quick to check (at most OPENCARE_REVIEW_SMALL_BYTES of JSON, as uploaded or as its
    gzip says it expands to; a tenth of that for a spreadsheet), else LANE. A gzip file that expands to more than it
    says is moved to the main lane as soon as that is found (checking.run_review)."""
    small = settings.OPENCARE_REVIEW_SMALL_BYTES
    if review.input_kind in SPREADSHEET_KINDS:
        return SMALL_LANE if review.size_bytes <= small // SPREADSHEET_SLOWER else LANE
    if review.size_bytes > small:
        return LANE
    if review.input_kind == ReviewRequest.InputKind.GZIP:
        try:
            declared = _gzip_declared_size(stored_input(review_folder(review)))
        except OSError:
            return LANE
        return SMALL_LANE if declared <= small else LANE
    return SMALL_LANE


def _gzip_declared_size(path: Path) -> int:
    """What a gzip file says its data expands to (its last four bytes: the size modulo 4 GiB, so only a hint)."""
    with path.open("rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return int.from_bytes(handle.read(4), "little")
