"""Record a performance failure: what standard was missed, how often, and what was decided."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.ocds.performance import ContractOnRecord
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of
from opencare.publishing.services import party_from_release


def _failure_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.FailureForm(data)


def _failure_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Period", f"{c['period_start']:%d %B %Y} to {c['period_end']:%d %B %Y}"),
        ("What kind of failure", c["category"]),
        ("How many times", str(c["events"]) if c["events"] is not None else "Not given"),
        ("The standard that was missed", c["requirement"]),
        ("What happened", c["description"]),
        ("Decision", c["penalty_imposed"] or "Not given"),
    ]


def _failure_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = contract_of(ctx)
    supplier = _supplier_party(ctx, contract)
    failure = rb.Failure(
        id=f"failure-{c['period_start']:%Y-%m-%d}",
        period_start=c["period_start"],
        period_end=c["period_end"],
        category=c["category"],
        events=c["events"],
        requirement=c["requirement"],
        description=c["description"],
        decision_date=c["decision_date"],
        penalty_contracted=c["penalty_contracted"],
        penalty_imposed=c["penalty_imposed"],
        penalty_paid={"yes": True, "no": False}.get(c["penalty_paid"]),
    )
    return lambda header: rb.failure_release(header, supplier, contract.contract_id, contract.award_id, failure)


def _supplier_party(ctx: FlowContext, contract: ContractOnRecord) -> rb.Party:
    for party in ctx.compiled.get("parties") or []:
        if isinstance(party, dict) and party.get("id") in contract.supplier_ids:
            return party_from_release(party)
    raise LookupError("The contract names no provider.")


FLOW = Flow("record-failure", "Record a performance failure", True, _failure_form, _failure_summary, _failure_build)
