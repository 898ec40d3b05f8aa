"""Tasks whose worker died are put back in the queue, once, and given up after MAX_RUNS; a worker that loses the
database waits for it and puts back what it had claimed, instead of dying."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from opencare.task_worker import runner, services
from opencare.task_worker.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
LOST = 60


@pytest.fixture(autouse=True)
def lost_after(settings):
    settings.OPENCARE_TASK_WORKER_LOST_SECONDS = LOST


def _running(*, worker_ids: list[str], started_seconds_ago: float) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": ["some-token"], "kwargs": {}},
        task_path="opencare.reviews.tasks.review_upload",
        backend_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
        worker_ids=worker_ids,
    )


def _seen(worker_id: str, seconds_ago: float) -> None:
    services.beat(worker_id, now=timezone.now() - timedelta(seconds=seconds_ago))


def test_a_task_whose_worker_has_gone_quiet_is_put_back_in_the_queue():
    _seen("dead-worker", seconds_ago=LOST + 5)
    task = _running(worker_ids=["dead-worker"], started_seconds_ago=LOST + 10)

    recovery = services.recover_lost_tasks()

    task.refresh_from_db()
    assert recovery.put_back == [str(task.pk)]
    assert task.status == TaskResultStatus.READY
    assert task.started_at is None
    assert task.worker_ids == ["dead-worker"]  # the runs so far are kept: they count towards giving up
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()


def test_a_long_task_of_a_worker_that_is_still_beating_is_left_alone():
    _seen("busy-worker", seconds_ago=1)
    task = _running(worker_ids=["busy-worker"], started_seconds_ago=LOST * 10)

    assert services.recover_lost_tasks().put_back == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_started_moments_ago_is_left_alone_even_by_an_unknown_worker():
    task = _running(worker_ids=["not-an-opencare-worker"], started_seconds_ago=1)

    assert services.recover_lost_tasks().put_back == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_lost_task_is_put_back_once_however_many_workers_notice():
    _running(worker_ids=["dead-worker"], started_seconds_ago=LOST + 10)

    first, second = services.recover_lost_tasks(), services.recover_lost_tasks()

    assert len(first.put_back) == 1
    assert second.put_back == []


def test_a_task_that_lost_its_worker_max_runs_times_is_given_up_with_a_reason():
    task = _running(worker_ids=[f"w{n}" for n in range(services.MAX_RUNS)], started_seconds_ago=LOST + 10)

    recovery = services.recover_lost_tasks()

    task.refresh_from_db()
    assert recovery.given_up == [str(task.pk)]
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "opencare.task_worker.services.WorkerLost"
    assert f"{services.MAX_RUNS} times" in task.traceback


def test_heartbeats_are_kept_one_per_worker_and_forgotten_when_old_or_signed_off():
    services.beat("w1")
    services.beat("w1")
    _seen("long-gone", seconds_ago=services.FORGET_AFTER.total_seconds() + 1)
    services.recover_lost_tasks()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w1"]

    services.sign_off("w1")

    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection, as it does for real
def test_a_worker_that_lost_the_database_waits_for_it_and_puts_back_what_it_had_claimed(monkeypatch):
    """The task's end could not be recorded while the database was away: it is run again, not left RUNNING."""
    monkeypatch.setattr(runner, "RETRY_SECONDS", 0.01)
    monkeypatch.setattr(runner.Worker, "configure_signals", lambda self: None)  # not in the test process
    claimed: list[DBTaskResult] = []
    outcomes = iter([OperationalError("server closed the connection unexpectedly"), None])

    def run(self) -> None:
        if not claimed:
            claimed.append(_running(worker_ids=[self.worker_id], started_seconds_ago=0))
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(runner.Worker, "run", run)

    runner.run_worker(interval=0.01)

    claimed[0].refresh_from_db()
    assert claimed[0].status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.exists()  # it signed off when it stopped


def test_worker_ids_are_unique_and_fit_the_queue():
    ids = {runner.new_worker_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(worker_id) <= 64 for worker_id in ids)
