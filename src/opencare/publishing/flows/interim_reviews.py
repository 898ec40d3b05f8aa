"""Record an interim review of a contract."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of
from opencare.publishing.flows.documents import slot_documents, slot_summary


def _review_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.ReviewForm(data, files)


def _review_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Review", c["title"]),
        ("Date", f"{c['date_met']:%d %B %Y}"),
        ("What was reviewed and agreed", c["description"]),
        *slot_summary(c, forms.ReviewForm.slots),
    ]


def _review_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = contract_of(ctx)
    review = rb.Review(
        id=f"review-{c['date_met']:%Y-%m-%d}",
        title=c["title"],
        description=c["description"],
        date_met=c["date_met"],
        documents=tuple(slot_documents(ctx, c, forms.ReviewForm.slots)),
    )
    return lambda header: rb.review_release(header, contract.contract_id, contract.award_id, review)


FLOW = Flow("record-review", "Record an interim review", True, _review_form, _review_summary, _review_build)
