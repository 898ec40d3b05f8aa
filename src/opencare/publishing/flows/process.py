"""Create a contracting process: the tender release."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms as django_forms

from opencare.ocds import release_builder as rb
from opencare.ocds.service_types import BY_CODE, CPV_FOR_SERVICE
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext
from opencare.publishing.flows.documents import slot_documents, slot_summary


def _process_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.ProcessForm(data, files)


def _process_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    lots = "; ".join(lot["title"] + (f" (£{lot['value']})" if lot["value"] else "") for lot in c["lots"]) or "None"
    return [
        ("Title", c["title"]),
        ("Description", c["description"]),
        ("Type of service", BY_CODE[c["service"]].name),
        ("Area served", c["place"]),
        ("Estimated value", f"£{c['value']:,}"),
        ("Contract period", f"{c['start']:%d %B %Y} to {c['end']:%d %B %Y}"),
        ("Lots", lots),
        ("Options to extend", c["options"] or "None"),
        ("How bids are judged", c["award_criteria"] or "Not given"),
        *slot_summary(c, forms.ProcessForm.slots),
    ]


def _process_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    cpv, cpv_description = CPV_FOR_SERVICE[c["service"]]
    facts = rb.ProcessFacts(
        title=c["title"],
        description=c["description"],
        cpv_code=cpv,
        cpv_description=cpv_description,
        place=c["place"],
        currency="GBP",
        value=c["value"],
        start=c["start"],
        end=c["end"],
        lots=tuple(
            rb.Lot(lot["id"], lot["title"], Decimal(lot["value"]) if lot["value"] else None) for lot in c["lots"]
        ),
        options=c["options"],
        award_criteria=c["award_criteria"],
        documents=tuple(slot_documents(ctx, c, forms.ProcessForm.slots)),
    )
    return lambda header: rb.tender_release(header, facts)


FLOW = Flow(
    "create-process",
    "Create a contracting process",
    False,
    _process_form,
    _process_summary,
    _process_build,
    titles=lambda c: (c["title"], c["description"]),
)
