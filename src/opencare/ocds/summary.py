"""A light summary of a compiled release: the facts lists and search need, without the whole document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


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
    tender = _object(compiled.get("tender"))
    awards = _objects(compiled.get("awards"))
    contracts = _objects(compiled.get("contracts"))
    value, currency = _value(contracts, awards, tender)
    period = _period(contracts, awards, tender)
    return ProcessSummary(
        title=_text(compiled.get("title")) or _text(tender.get("title")),
        description=_text(compiled.get("description")) or _text(tender.get("description")),
        buyer_name=_text(_object(compiled.get("buyer")).get("name")) or _party_name(compiled, "buyer"),
        supplier_names=_supplier_names(awards),
        status=_status(contracts, awards, tender),
        value_amount=value,
        value_currency=currency,
        period_start=_date(period.get("startDate")),
        period_end=_date(period.get("endDate")),
        cpv_codes=_cpv_codes(tender),
        metric_ids=_metric_ids(compiled, awards, contracts),
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _party_name(compiled: dict[str, Any], role: str) -> str:
    for party in _objects(compiled.get("parties")):
        if role in (party.get("roles") or []):
            return _text(party.get("name"))
    return ""


def _supplier_names(awards: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for award in awards:
        for supplier in _objects(award.get("suppliers")):
            name = _text(supplier.get("name"))
            if name and name not in names:
                names.append(name)
    return names


def _status(contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]) -> str:
    for stage in (contracts, awards):
        statuses = [_text(item.get("status")) for item in stage if _text(item.get("status"))]
        if statuses:
            return statuses[-1]
    return _text(tender.get("status"))


def _value(
    contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]
) -> tuple[Decimal | None, str]:
    """The contracts' total, else the awards', else the tender's estimate: the most settled figure there is."""
    for stage in (contracts, awards):
        values = [_object(item.get("value")) for item in stage]
        amounts = [_decimal(v.get("amount")) for v in values]
        known = [amount for amount in amounts if amount is not None]
        if known:
            currencies = {_text(v.get("currency")) for v in values if _text(v.get("currency"))}
            return sum(known, Decimal(0)), (currencies.pop() if len(currencies) == 1 else "")
    value = _object(tender.get("value"))
    return _decimal(value.get("amount")), _text(value.get("currency"))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _period(contracts: list[dict[str, Any]], awards: list[dict[str, Any]], tender: dict[str, Any]) -> dict[str, Any]:
    for item in [*contracts, *awards]:
        period = _object(item.get("period") or item.get("contractPeriod"))
        if period:
            return period
    return _object(tender.get("contractPeriod"))


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _cpv_codes(tender: dict[str, Any]) -> list[str]:
    classifications = [_object(tender.get("classification"))]
    for item in _objects(tender.get("items")):
        classifications.append(_object(item.get("classification")))
        classifications.extend(_objects(item.get("additionalClassifications")))
    codes: list[str] = []
    for classification in classifications:
        code = _text(classification.get("id"))
        if _text(classification.get("scheme")).upper() == "CPV" and code and code not in codes:
            codes.append(code)
    return codes


def _metric_ids(compiled: dict[str, Any], awards: list[dict[str, Any]], contracts: list[dict[str, Any]]) -> list[str]:
    metrics = [*_objects(_object(compiled.get("planning")).get("forecasts"))]
    metrics += _objects(_object(compiled.get("tender")).get("targets"))
    for award in awards:
        metrics += _objects(award.get("agreedMetrics"))
    for contract in contracts:
        metrics += _objects(contract.get("agreedMetrics"))
        metrics += _objects(_object(contract.get("implementation")).get("metrics"))
    ids: list[str] = []
    for metric in metrics:
        metric_id = _text(metric.get("id"))
        if metric_id and metric_id not in ids:
            ids.append(metric_id)
    return ids
