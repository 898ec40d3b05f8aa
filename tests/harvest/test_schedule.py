"""OPENCARE_HARVEST: the task worker harvests each named source every OPENCARE_HARVEST_EVERY minutes, queued once per
period however many workers look, and never while a harvest of the source is running."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone

from opencare.harvest import sources
from opencare.harvest.models import HarvestProgress, HarvestRun
from opencare.harvest.schedule import queue_due_harvests
from opencare.registry.models import Release
from opencare.task_worker import runner

from .replay import Replay, fts_pages


@pytest.fixture
def replayed_find_a_tender(monkeypatch, settings):
    """Find a Tender pointed at the local replay server, with no rate limit, scheduled every 60 minutes."""
    settings.OPENCARE_HARVEST = ["find-a-tender", "no-such-source"]
    settings.OPENCARE_HARVEST_EVERY = 60
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        source = dataclasses.replace(
            sources.SOURCES["find-a-tender"], base_url=server.base_url, rate_limit=sources.RateLimit(1000, 1)
        )
        monkeypatch.setitem(sources.SOURCES, "find-a-tender", source)
        # One window back, not the first harvest's seven days.
        HarvestProgress.objects.create(source="find-a-tender", done_until=timezone.now() - timedelta(hours=1))
        yield server


@pytest.mark.django_db
def test_a_scheduled_source_is_harvested_once_per_period(replayed_find_a_tender, caplog):
    now = timezone.now()
    assert queue_due_harvests(now) == ["find-a-tender"]
    assert "'no-such-source', which is no source" in caplog.text
    run = HarvestRun.objects.get()
    assert run.status == HarvestRun.Status.SUCCEEDED
    assert Release.objects.count() == 5
    assert queue_due_harvests(now + timedelta(minutes=59)) == []  # another worker, or the next heartbeat
    assert queue_due_harvests(now + timedelta(minutes=60)) == ["find-a-tender"]
    assert HarvestRun.objects.count() == 2


@pytest.mark.django_db
def test_no_harvest_is_queued_while_one_of_the_source_is_running(replayed_find_a_tender):
    now = timezone.now()
    HarvestProgress.objects.filter(source="find-a-tender").update(held_by_run=1, held_until=now + timedelta(minutes=5))
    assert queue_due_harvests(now) == []
    assert queue_due_harvests(now + timedelta(minutes=6)) == ["find-a-tender"]  # the hold ran out: the run died


@pytest.mark.django_db
def test_nothing_is_harvested_when_no_source_is_scheduled(settings):
    settings.OPENCARE_HARVEST = []
    assert queue_due_harvests() == []
    assert not HarvestRun.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection, as it does for real
def test_the_task_worker_queues_due_harvests_when_it_starts(replayed_find_a_tender, monkeypatch):
    monkeypatch.setattr(runner.Worker, "configure_signals", lambda self: None)  # not in the test process
    monkeypatch.setattr(runner.Worker, "run", lambda self: None)
    runner.run_worker(interval=0.01)
    assert HarvestRun.objects.get().status == HarvestRun.Status.SUCCEEDED
