"""Actuals: a month's figures entered in a form (or read from a spreadsheet, publishing.actuals_upload), each
classified met or below against its target, care workers' pay also against every wage promised and the law."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.ocds.pay_promises import WagePromise, contract_wage_promises, pay_shortfalls
from opencare.ocds.performance import WORKER_PAY
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of
from opencare.publishing.services import party_of


def _actuals_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    metrics = [(metric.metric_id, metric.title, _target_hint(metric)) for metric in contract_of(ctx).agreed]
    return forms.ActualsForm(data, metrics=metrics)


def _target_hint(metric: Any) -> str:
    suffix = "%" if metric.unit.get("id") == "P1" else ""
    if metric.target is None:
        return ""
    better = {"higher": " (higher is better)", "lower": " (lower is better)"}.get(metric.better, "")
    return f"Target: {_figure(metric.target, metric.currency)}{suffix}{better}"


def _figure(amount: Decimal, currency: str) -> str:
    """A figure as a person writes it: money in pounds and pence (£12.60), other figures without trailing zeros."""
    return f"£{amount:,.2f}" if currency == "GBP" else f"{amount.normalize():f}"


def actuals_of(ctx: FlowContext, rows: list[tuple[str, date, date, Decimal, str]]) -> list[rb.Actual]:
    """Figures as builder Actuals, each classified met or below against the contract's target; care workers' pay
    is met only if it also meets every wage the contract promises and the legal minimum for its period."""
    agreed = {metric.metric_id: metric for metric in contract_of(ctx).agreed}
    actuals = []
    for metric_id, start, end, amount, notes in rows:
        metric = agreed[metric_id]
        classification = rb.classification_against(amount, metric.target, metric.better)
        if metric_id == WORKER_PAY and classification in ("", "met"):
            floors, applied = pay_shortfalls(amount, start, {}, _wage_promises(ctx))
            classification = "below" if floors else ("met" if applied else classification)
        actuals.append(
            rb.Actual(
                metric_id=metric_id,
                title=metric.title,
                period_start=start,
                period_end=end,
                amount=amount,
                unit=dict(metric.unit),
                currency=metric.currency,
                classification=classification,
                notes=notes,
            )
        )
    return actuals


def _month_rows(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, date, date, Decimal, str]]:
    start = c["month"].replace(day=1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return [
        (name.removeprefix("figure__"), start, end, value, c.get("notes") or "")
        for name, value in c.items()
        if name.startswith("figure__") and value is not None
    ]


def actuals_summary(actuals: list[rb.Actual], ctx: FlowContext | None = None) -> list[tuple[str, str]]:
    """Each figure with its period and how it compares to the target; care workers' pay, given the flow's context,
    with each promised wage and legal minimum it is below, in words."""
    words = {"met": "meets the target", "below": "below the target", "": "no target to compare with"}
    rows = []
    for actual in actuals:
        figure = _figure(actual.amount, actual.currency)
        result = f"{figure}: {words[actual.classification]}"
        if ctx is not None and actual.metric_id == WORKER_PAY:
            floors, applied = pay_shortfalls(actual.amount, actual.period_start, {}, _wage_promises(ctx))
            if floors:
                result = f"{figure}: below. " + " ".join(floor.sentence for floor in floors)
            elif applied and actual.classification == "met":
                result += ", every wage the contract promises and the legal minimum"
        rows.append((f"{actual.title}, {actual.period_start:%d %b %Y} to {actual.period_end:%d %b %Y}", result))
    return rows


def _wage_promises(ctx: FlowContext) -> tuple[WagePromise, ...]:
    """The wage floors the flow's contract promises (its terms, its agreed pay, its method statement)."""
    contract_id = contract_of(ctx).contract_id
    contract = next(
        (c for c in ctx.compiled.get("contracts") or [] if isinstance(c, dict) and c.get("id") == contract_id), {}
    )
    return contract_wage_promises(ctx.compiled, contract)


def _actuals_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [*actuals_summary(actuals_of(ctx, _month_rows(ctx, c)), ctx), ("Notes", c.get("notes") or "None")]


def actuals_builder(ctx: FlowContext, actuals: list[rb.Actual]) -> Builder:
    """The release of a contract's actuals, published by its provider."""
    contract = contract_of(ctx)
    supplier = party_of(ctx.publisher)
    return lambda header: rb.actuals_release(header, supplier, contract.contract_id, contract.award_id, actuals)


def _actuals_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    return actuals_builder(ctx, actuals_of(ctx, _month_rows(ctx, c)))


FLOW = Flow("publish-actuals", "Enter a month's figures", True, _actuals_form, _actuals_summary, _actuals_build)
