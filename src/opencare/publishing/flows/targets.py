"""Set or change a contract's targets; and the metrics and targets the award and contract flow agrees too."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.catalogue import current_metrics
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of
from opencare.publishing.target_units import target_in_words


def target_metrics() -> dict[str, dict[str, Any]]:
    """Catalogue metrics a contract can agree targets for, by id (price and pay have their own questions)."""
    return {
        metric_id: metric
        for metric_id, metric in current_metrics().items()
        if "contracts/agreedMetrics" in metric.get("attaches_to", [])
        and metric_id not in ("sc-price-per-hour", "sc-worker-pay-per-hour")
    }


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
    """The chosen metrics and targets (and the local one), each with its unit and which way is better, for the
    check-your-answers page."""
    metrics = current_metrics(include_retired=True)
    rows = []
    for metric_id, target in chosen_rows(form_cleaned):
        metric = metrics.get(metric_id, {"title": metric_id})
        rows.append((metric["title"], target_in_words(metric, target)))
    if form_cleaned.get("local_title"):
        local = {"unit": forms.LOCAL_UNITS[form_cleaned["local_unit"]], "better": form_cleaned["local_better"]}
        rows.append(
            (
                form_cleaned["local_title"],
                _("Local metric. %(target)s") % {"target": target_in_words(local, form_cleaned["local_target"])},
            )
        )
    return rows


def chosen_rows(cleaned: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """The targets the form was given, as (metric id, target): each target box filled, then older drafts' rows."""
    return forms.chosen_targets(cleaned, list(target_metrics()))


def _targets_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.TargetsForm(data, metrics=target_metrics())


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
