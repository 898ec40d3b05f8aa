"""The metric catalogue as co-designed on this site: the vendored catalogue plus every change administrators made.

Each change (a metric added, changed or retired) is a new numbered version of that metric, with who asked for it
and why, so the question "what's important?" has an answer anyone can trace. Retired metrics stay readable (old
data uses them) but are no longer offered to publishers.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from opencare.ocds.metric_catalogue import CatalogueError, parse_metric
from opencare.ocds.metric_catalogue import metric_catalogue as vendored_catalogue
from opencare.publishing.models import CatalogueChange

ACTIVE = "active"
RETIRED = "retired"


def current_metrics(*, include_retired: bool = False) -> dict[str, dict[str, Any]]:
    """Every metric by id as it stands now: the vendored version, overlaid by the latest change made here."""
    metrics = {metric_id: _as_dict(metric) for metric_id, metric in vendored_catalogue().metrics.items()}
    for change in CatalogueChange.objects.order_by("metric_id", "version"):
        metrics[change.metric_id] = change.metric
    if include_retired:
        return metrics
    return {metric_id: metric for metric_id, metric in metrics.items() if metric.get("status") == ACTIVE}


def metric_history(metric_id: str) -> list[CatalogueChange]:
    """The changes made to one metric on this site, newest first."""
    return list(CatalogueChange.objects.filter(metric_id=metric_id).select_related("changed_by"))


def add_metric(*, user: AbstractBaseUser, metric: dict[str, Any], asked_for_by: str, reason: str) -> CatalogueChange:
    """Add a metric; raises CatalogueError if it is malformed or its id is taken."""
    if metric.get("id") in current_metrics(include_retired=True):
        raise CatalogueError(f"metric {metric.get('id')}: the id is already used; choose another.")
    return _save(user, metric | {"status": ACTIVE}, CatalogueChange.Change.ADDED, asked_for_by, reason)


def retire_metric(*, user: AbstractBaseUser, metric_id: str, asked_for_by: str, reason: str) -> CatalogueChange:
    """Stop offering a metric to publishers; what was published with it stays."""
    metric = current_metrics().get(metric_id)
    if metric is None:
        raise CatalogueError(f"metric {metric_id}: there is no active metric with this id.")
    return _save(user, metric | {"status": RETIRED}, CatalogueChange.Change.RETIRED, asked_for_by, reason)


def _save(
    user: AbstractBaseUser, metric: dict[str, Any], change: str, asked_for_by: str, reason: str
) -> CatalogueChange:
    parse_metric(metric)  # refuses a malformed metric before anything is stored
    with transaction.atomic():
        version = CatalogueChange.objects.filter(metric_id=metric["id"]).count() + 1
        return CatalogueChange.objects.create(
            metric_id=metric["id"],
            version=version + (1 if metric["id"] in vendored_catalogue().metrics else 0),
            change=change,
            metric=metric,
            asked_for_by=asked_for_by,
            reason=reason,
            changed_by=user,
        )


def _as_dict(metric: Any) -> dict[str, Any]:
    data = asdict(metric)
    return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}


__all__ = ["CatalogueError", "add_metric", "current_metrics", "metric_history", "retire_metric"]
