"""Reads for the administrators' harvest page: each source, how far it has been harvested, its recent runs, and
whether it keeps failing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from opencare.harvest.models import HarvestProgress, HarvestRun
from opencare.harvest.sources import SOURCES

#: Runs shown per source.
RECENT_RUNS = 10
#: Failed runs in a row (the latest ones) that flag a source as failing.
FAILING_AFTER = 3
FAILURES = {HarvestRun.Status.FAILED, HarvestRun.Status.PARTLY_FAILED}


@dataclass(frozen=True)
class SourceState:
    """A source as the administrators' page shows it."""

    name: str
    title: str
    base_url: str
    scheduled: bool
    done_until: datetime | None
    under_way: datetime | None  # the start of the window a stopped harvest will go on with
    next_scheduled: datetime | None
    runs: list[HarvestRun]
    failures_in_a_row: int

    @property
    def failing(self) -> bool:
        return self.failures_in_a_row >= FAILING_AFTER


def source_states() -> list[SourceState]:
    """Every source, with its progress and recent runs (a fixed number of queries: one per source for runs)."""
    progress = {row.source: row for row in HarvestProgress.objects.all()}
    states = []
    for name, source in SOURCES.items():
        runs = list(HarvestRun.objects.filter(source=name).order_by("-started_at", "-pk")[:RECENT_RUNS])
        row = progress.get(name)
        states.append(SourceState(
            name=name, title=source.title, base_url=source.base_url, scheduled=name in settings.OPENCARE_HARVEST,
            done_until=row.done_until if row else None, under_way=row.window_start if row else None,
            next_scheduled=row.next_scheduled if row and name in settings.OPENCARE_HARVEST else None,
            runs=runs, failures_in_a_row=_failures_in_a_row(runs),
        ))  # fmt: skip
    return states


def _failures_in_a_row(runs: list[HarvestRun]) -> int:
    """How many of the latest finished runs failed, counting back to the last that did not (skipped runs and the
    one running are passed over)."""
    count = 0
    for run in runs:
        if run.status in {HarvestRun.Status.SKIPPED, HarvestRun.Status.RUNNING}:
            continue
        if run.status not in FAILURES:
            break
        count += 1
    return count
