"""Set or change a contract's targets; and the metrics and targets the award and contract flow agrees too."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.catalogue import current_metrics
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of


def metric_choices() -> list[tuple[str, str]]:
    """Catalogue metrics a contract can agree targets for (price and pay have their own questions)."""
    return [
        (metric_id, metric["title"])
        for metric_id, metric in current_metrics().items()
        if "contracts/agreedMetrics" in metric.get("attaches_to", [])
        and metric_id not in ("sc-price-per-hour", "sc-worker-pay-per-hour")
    ]


def targets_of(cleaned: dict[str, Any], chosen: list[tuple[str, Decimal]]) -> list[rb.MetricTarget]:
    """The chosen metrics and targets (and the local one) as builder targets."""
    metrics = current_metrics(include_retired=True)
    targets = []
    for metric_id, target in chosen:
        metric = metrics[metric_id]
        targets.append(
            rb.MetricTarget(
                metric_id=metric_id,
                title=metric["title"],
                description=metric.get("description", ""),
                target=target,
                unit=dict(metric["unit"]),
                currency=metric.get("currency") or "",
            )
        )
    if cleaned.get("local_title"):
        targets.append(
            rb.MetricTarget(
                metric_id="local-" + hashlib.sha256(cleaned["local_title"].encode()).hexdigest()[:8],
                title=cleaned["local_title"],
                description=f"A local metric ({cleaned['local_better']} is better).",
                target=cleaned["local_target"],
                unit=forms.LOCAL_UNITS[cleaned["local_unit"]],
            )
        )
    return targets


def targets_summary(form_cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    """The chosen metrics and targets (and the local one), for the check-your-answers page."""
    titles = dict(metric_choices())
    rows = []
    for row in range(1, forms.METRIC_ROWS + 1):
        metric, target = form_cleaned.get(f"metric_{row}"), form_cleaned.get(f"target_{row}")
        if metric and target is not None:
            rows.append((titles.get(metric, metric), f"Target: {target.normalize():f}"))
    if form_cleaned.get("local_title"):
        rows.append((form_cleaned["local_title"], f"Local metric, target {form_cleaned['local_target']:f}"))
    return rows


def chosen_rows(cleaned: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """The form's rows that name a metric and give its target, as (metric id, target)."""
    rows = []
    for row in range(1, forms.METRIC_ROWS + 1):
        metric, target = cleaned.get(f"metric_{row}"), cleaned.get(f"target_{row}")
        if metric and target is not None:
            rows.append((metric, target))
    return rows


def _targets_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.TargetsForm(data, metric_choices=metric_choices())


def _targets_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = contract_of(ctx)
    targets = targets_of(c, chosen_rows(c))
    return lambda header: rb.targets_release(header, contract.contract_id, contract.award_id, targets)


FLOW = Flow(
    "set-targets",
    "Set or change targets",
    True,
    _targets_form,
    lambda ctx, c: targets_summary(c),
    _targets_build,
)
