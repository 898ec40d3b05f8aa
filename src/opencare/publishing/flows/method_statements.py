"""Publish a provider's method statement: each commitment with its pages in the statement."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext, contract_of
from opencare.publishing.flows.documents import slot_documents, slot_summary
from opencare.publishing.services import party_of


def _method_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.MethodStatementForm(data, files)


def _method_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (
            f"Commitment {n}",
            f"{item['text']} (pages {item['page_start']} to {item['page_end']})"
            if item["page_start"]
            else item["text"],
        )
        for n, item in enumerate(c["commitments"], start=1)
    ]
    return [*rows, *slot_summary(c, forms.MethodStatementForm.slots)]


def _method_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = contract_of(ctx)
    statement = slot_documents(ctx, c, forms.MethodStatementForm.slots)[0]
    documents = [
        rb.Document(
            id=f"{statement.id}-{number}",
            document_type="submissionDocuments",
            title=f"Method statement: {item['text']}",
            url=statement.url,
            date_published=statement.date_published,
            format=statement.format,
            page_start=item["page_start"],
            page_end=item["page_end"],
            author=ctx.publisher.name,
        )
        for number, item in enumerate(c["commitments"], start=1)
    ]
    supplier = party_of(ctx.publisher)
    return lambda header: rb.documents_release(header, supplier, contract.contract_id, contract.award_id, documents)


FLOW = Flow(
    "publish-method-statement",
    "Publish your method statement",
    True,
    _method_form,
    _method_summary,
    _method_build,
)
