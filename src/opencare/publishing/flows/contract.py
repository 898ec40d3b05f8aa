"""Publish the award and contract: the provider, terms, price and pay, targets and documents."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.flows.context import Builder, Flow, FlowContext
from opencare.publishing.flows.documents import slot_documents, slot_summary
from opencare.publishing.flows.targets import chosen_rows, target_metrics, targets_of, targets_summary
from opencare.publishing.providers import nameable_providers, provider_party, register_name


def _contract_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    providers = nameable_providers()
    lots = [
        (str(lot.get("id")), str(lot.get("title") or lot.get("id")))
        for lot in (ctx.compiled.get("tender") or {}).get("lots") or []
        if isinstance(lot, dict)
    ]
    return forms.ContractForm(data, files, providers=providers, lots=lots, metrics=target_metrics())


def _contract_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    provider = c["named_provider"]
    return [
        (
            _("Provider"),
            _("%(name)s (%(register)s %(number)s)")
            % {"name": provider.name, "register": register_name(provider.scheme), "number": provider.identifier},
        ),
        ("Contract title", c["title"]),
        ("Value", f"£{c['value']:,}"),
        ("Contract period", f"{c['start']:%d %B %Y} to {c['end']:%d %B %Y}"),
        ("Signed", f"{c['date_signed']:%d %B %Y}"),
        ("Price per hour", f"£{c['price_per_hour']}" if c["price_per_hour"] is not None else "Not given"),
        (
            "Care worker pay per hour",
            f"£{c['worker_pay_per_hour']}" if c["worker_pay_per_hour"] is not None else "Not given",
        ),
        ("Pay commitment", c["worker_pay_note"] or "Not given"),
        ("Pay and conditions", c["social_standards"] or "Not given"),
        ("How performance is measured", c["performance_terms"] or "Not given"),
        ("How the provider is paid", c["financial_terms"] or "Not given"),
        ("What happens if standards are missed", c["rewards_and_penalties"] or "Not given"),
        *targets_summary(c),
        *slot_summary(c, forms.ContractForm.slots),
    ]


def _contract_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    number = len(ctx.compiled.get("contracts") or []) + 1
    chosen = [(row[0], row[1]) for row in chosen_rows(c)]
    facts = rb.ContractFacts(
        award_id=f"award-{number}",
        contract_id=f"contract-{number}",
        supplier=provider_party(c["named_provider"]),
        title=c["title"],
        currency="GBP",
        value=c["value"],
        start=c["start"],
        end=c["end"],
        date_signed=c["date_signed"],
        price_per_hour=c["price_per_hour"],
        worker_pay_per_hour=c["worker_pay_per_hour"],
        worker_pay_note=c["worker_pay_note"],
        lot_id=c.get("lot") or "",
        terms=rb.ContractTerms(
            c["social_standards"], c["performance_terms"], c["financial_terms"], c["rewards_and_penalties"]
        ),
        targets=tuple(targets_of(c, chosen)),
        documents=tuple(slot_documents(ctx, c, forms.ContractForm.slots)),
    )
    return lambda header: rb.contract_release(header, facts)


FLOW = Flow(
    "publish-contract",
    "Publish the award and contract",
    False,
    _contract_form,
    _contract_summary,
    _contract_build,
)
