"""A light summary of a compiled release: the facts lists and search need, without the whole document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from opencare.ocds.json_values import as_date, as_decimal, as_object, as_objects, as_text, metric_ids


@dataclass(frozen=True)
class ProcessSummary:
    """What a person first wants to know about a contracting process."""

    title: str = ""
    description: str = ""
    buyer_name: str = ""
    supplier_names: list[str] = field(default_factory=list)
    status: str = ""
    value_amount: Decimal | None = None
    value_currency: str = ""
    period_start: date | None = None
    period_end: date | None = None
    cpv_codes: list[str] = field(default_factory=list)
    metric_ids: list[str] = field(default_factory=list)


def summarise(compiled: dict[str, Any]) -> ProcessSummary:
    """Summarise a compiled release. Missing or malformed fields give empty values, never an error."""
    tender = as_object(compiled.get("tender"))
    awards = as_objects(compiled.get("awards"))
    contracts = as_objects(compiled.get("contracts"))
    value, currency = _value(contracts, awards, tender)
    period = contract_period(contracts, awards, tender)
    return ProcessSummary(
        title=as_text(compiled.get("title")) or as_text(tender.get("title")),
        description=as_text(compiled.get("description")) or as_text(tender.get("description")),
        buyer_name=as_text(as_object(compiled.get("buyer")).get("name")) or _party_name(compiled, "buyer"),
        supplier_names=_supplier_names(awards),
        status=_status(contracts, awards, tender),
        value_amount=value,
        value_currency=currency,
        period_start=as_date(period.get("startDate")),
        period_end=as_date(period.get("endDate")),
        cpv_codes=_cpv_codes(tender),
        metric_ids=metric_ids(compiled),
    )


def _party_name(compiled: dict[str, Any], role: str) -> str:
    for party in as_objects(compiled.get("parties")):
        roles = party.get("roles")
        if isinstance(roles, list) and role in roles:
            return as_text(party.get("name"))
    return ""


def _supplier_names(awards: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for award in awards:
        for supplier in as_objects(award.get("suppliers")):
            name = as_text(supplier.get("name"))
            if name and name not in names:
                names.append(name)
    return names


def _status(contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]) -> str:
    for stage in (contracts, awards):
        statuses = [as_text(item.get("status")) for item in stage if as_text(item.get("status"))]
        if statuses:
            return statuses[-1]
    return as_text(tender.get("status"))


def _value(
    contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]
) -> tuple[Decimal | None, str]:
    """The contracts' total, else the awards', else the tender's estimate: the most settled figure there is."""
    for stage in (contracts, awards):
        values = [as_object(item.get("value")) for item in stage]
        amounts = [as_decimal(v.get("amount")) for v in values]
        known = [amount for amount in amounts if amount is not None]
        if known:
            currencies = {as_text(v.get("currency")) for v in values if as_text(v.get("currency"))}
            return sum(known, Decimal(0)), (currencies.pop() if len(currencies) == 1 else "")
    value = as_object(tender.get("value"))
    return as_decimal(value.get("amount")), as_text(value.get("currency"))


def contract_period(
    contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]
) -> dict[str, Any]:
    """The first contract's (else award's) period, else the tender's planned contract period."""
    for item in [*contracts, *awards]:
        period = as_object(item.get("period") or item.get("contractPeriod"))
        if period:
            return period
    return as_object(tender.get("contractPeriod"))


def _cpv_codes(tender: dict[str, Any]) -> list[str]:
    classifications = [as_object(tender.get("classification"))]
    for item in as_objects(tender.get("items")):
        classifications.append(as_object(item.get("classification")))
        classifications.extend(as_objects(item.get("additionalClassifications")))
    codes: list[str] = []
    for classification in classifications:
        code = as_text(classification.get("id"))
        if as_text(classification.get("scheme")).upper() == "CPV" and code and code not in codes:
            codes.append(code)
    return codes
