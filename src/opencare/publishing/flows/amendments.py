"""Amend a contract: why, what changed, its new value or end date."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of, today_iso


def _amendment_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.AmendmentForm(data)


def _amendment_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Why the contract changed", c["rationale"]),
        ("What changed", c["description"]),
        ("New value", f"£{c['value']:,}" if c["value"] is not None else "Unchanged"),
        ("New end date", f"{c['end']:%d %B %Y}" if c["end"] else "Unchanged"),
    ]


def _amendment_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = contract_of(ctx)
    amendment = rb.Amendment(
        id=f"amendment-{today_iso()[:10]}-{hashlib.sha256(c['rationale'].encode()).hexdigest()[:6]}",
        rationale=c["rationale"],
        description=c["description"],
        value=c["value"],
        end=c["end"],
    )
    return lambda header: rb.amendment_release(
        header, contract.contract_id, contract.award_id, amendment, contract.currency, contract.start
    )


FLOW = Flow("amend-contract", "Amend the contract", True, _amendment_form, _amendment_summary, _amendment_build)
