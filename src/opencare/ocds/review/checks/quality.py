"""Is the release consistent with itself? Periods, the order of stages, values and references."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from opencare.ocds.review.checks import Emit, identifier, listed, obj, objects

WARNING = "warning"
ERROR = "error"


def check_quality(release: dict[str, Any], emit: Emit, now: datetime | None = None) -> None:
    """Run every consistency check on one release (or compiled release); ``now`` defaults to the present."""
    tender = obj(release.get("tender"))
    awards = objects(release.get("awards"))
    contracts = objects(release.get("contracts"))
    _periods(tender, awards, contracts, emit)
    _stage_order(tender, awards, contracts, emit)
    _values(awards, contracts, emit)
    _references(release, tender, awards, contracts, emit)
    _milestones_met(release, contracts, emit, now or datetime.now(UTC))


def _milestones_met(release: dict[str, Any], contracts: list[dict[str, Any]], emit: Emit, now: datetime) -> None:
    """A milestone (an interim review) said to be met on a day after the release that says so, or after today,
    cannot have been met: it is still planned. An error, so that publishing refuses it (forms and API alike)."""
    # A day's grace: a review held today where the publisher is may be tomorrow in UTC.
    latest = min(filter(None, (parse_date(release.get("date")), now))) + timedelta(days=1)
    for index, contract in enumerate(contracts):
        for number, milestone in enumerate(objects(obj(contract.get("implementation")).get("milestones"))):
            if milestone.get("status") != "met":
                continue
            name = "dateMet" if "dateMet" in milestone else "dueDate"
            when = parse_date(milestone.get(name))
            if when is not None and when > latest:
                emit(
                    "quality.milestone-met-in-future",
                    ERROR,
                    f"contracts/implementation/milestones/{name}",
                    _pointer("contracts", index, "implementation", "milestones", number, name),
                    milestone.get(name),
                    {},
                )


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime from an OCDS date string, or None if it is not one (the schema says why)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _pointer(*parts: Any) -> str:
    return "".join(f"/{part}" for part in parts)


def _periods(
    tender: dict[str, Any], awards: list[dict[str, Any]], contracts: list[dict[str, Any]], emit: Emit
) -> None:
    # Places as (path, pointer parts, period); the pointer text is only made for a period that is wrong.
    places: list[tuple[str, tuple[str | int, ...], Any]] = [(f"tender/{name}", ("tender", name), tender.get(name))
              for name in ("tenderPeriod", "enquiryPeriod", "awardPeriod", "contractPeriod")]  # fmt: skip
    places += [("awards/contractPeriod", ("awards", i, "contractPeriod"), a.get("contractPeriod"))
               for i, a in enumerate(awards) if "contractPeriod" in a]  # fmt: skip
    places += [("contracts/period", ("contracts", i, "period"), c.get("period"))
               for i, c in enumerate(contracts) if "period" in c]  # fmt: skip
    for path, parts, period in places:
        if type(period) is not dict or "startDate" not in period or "endDate" not in period:
            continue
        start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
        if start and end and end < start:
            emit("quality.period-end-before-start", WARNING, path, _pointer(*parts), period.get("endDate"), {})


def _stage_order(
    tender: dict[str, Any], awards: list[dict[str, Any]], contracts: list[dict[str, Any]], emit: Emit
) -> None:
    tender_start = parse_date(obj(tender.get("tenderPeriod")).get("startDate"))
    award_dates = {}
    for index, award in enumerate(awards):
        award_date = parse_date(award.get("date"))
        award_dates[identifier(award.get("id"))] = award_date
        if tender_start and award_date and award_date < tender_start:
            context = {"later_label": "The award date", "earlier_label": "the start of the tender period"}
            emit(
                "quality.dates-out-of-order",
                WARNING,
                "awards/date",
                f"/awards/{index}/date",
                award.get("date"),
                context,
            )
    for index, contract in enumerate(contracts):
        signed = parse_date(contract.get("dateSigned"))
        award_date = award_dates.get(identifier(contract.get("awardID")))
        if signed and award_date and signed < award_date:
            context = {"later_label": "The date the contract was signed", "earlier_label": "the award date"}
            emit(
                "quality.dates-out-of-order",
                WARNING,
                "contracts/dateSigned",
                f"/contracts/{index}/dateSigned",
                contract.get("dateSigned"),
                context,
            )


def _amount(value: Any) -> tuple[float, str] | None:
    value = obj(value)
    amount, currency = value.get("amount"), value.get("currency")
    if isinstance(amount, int | float) and not isinstance(amount, bool) and isinstance(currency, str):
        return float(amount), currency
    return None


def _values(awards: list[dict[str, Any]], contracts: list[dict[str, Any]], emit: Emit) -> None:
    award_values = {identifier(award.get("id")): _amount(award.get("value")) for award in awards}
    for index, contract in enumerate(contracts):
        contract_value = _amount(contract.get("value"))
        award_value = award_values.get(identifier(contract.get("awardID")))
        if (
            contract_value
            and award_value
            and contract_value[1] == award_value[1]
            and contract_value[0] > award_value[0]
        ):
            emit(
                "quality.contract-value-above-award",
                WARNING,
                "contracts/value/amount",
                f"/contracts/{index}/value/amount",
                contract_value[0],
                {},
            )
        paid = [_amount(t.get("value")) for t in objects(obj(contract.get("implementation")).get("transactions"))]
        if contract_value and paid:
            total = sum(amount for amount, currency in filter(None, paid) if currency == contract_value[1])
            if total > contract_value[0]:
                emit(
                    "quality.transactions-above-contract",
                    WARNING,
                    "contracts/implementation/transactions",
                    f"/contracts/{index}/implementation/transactions",
                    round(total, 2),
                    {},
                )


def _references(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    emit: Emit,
) -> None:
    award_ids = {identifier(award.get("id")) for award in awards}
    for index, contract in enumerate(contracts):
        award_id = identifier(contract.get("awardID"))
        if award_id is not None and awards and award_id not in award_ids:
            emit(
                "quality.unknown-award-reference",
                WARNING,
                "contracts/awardID",
                f"/contracts/{index}/awardID",
                award_id,
                {},
            )
    lots = objects(tender.get("lots"))
    if lots:
        lot_ids = {identifier(lot.get("id")) for lot in lots}
        for index, award in enumerate(awards):
            for position, lot in enumerate(listed(award.get("relatedLots"))):
                if identifier(lot) is not None and lot not in lot_ids:
                    emit(
                        "quality.unknown-lot-reference",
                        WARNING,
                        "awards/relatedLots",
                        f"/awards/{index}/relatedLots/{position}",
                        lot,
                        {},
                    )
    parties = objects(release.get("parties"))
    if parties:
        _party_references(release, tender, awards, contracts, {identifier(p.get("id")) for p in parties}, emit)


def _party_references(
    release: dict[str, Any],
    tender: dict[str, Any],
    awards: list[dict[str, Any]],
    contracts: list[dict[str, Any]],
    party_ids: set[Any],
    emit: Emit,
) -> None:
    # (path, pointer parts, reference, role); the pointer text is only made for a reference that does not resolve.
    references: list[tuple[str, tuple[Any, ...], Any, str]] = [
        ("buyer", ("buyer",), release.get("buyer"), "buyer"),
        ("tender/procuringEntity", ("tender", "procuringEntity"), tender.get("procuringEntity"), "procuring entity"),
    ]
    for i, tenderer in enumerate(listed(tender.get("tenderers"))):
        references.append(("tender/tenderers", ("tender", "tenderers", i), tenderer, "tenderer"))
    for i, award in enumerate(awards):
        if "buyer" in award:
            references.append(("awards/buyer", ("awards", i, "buyer"), award["buyer"], "award's buyer"))
        for j, supplier in enumerate(listed(award.get("suppliers"))):
            references.append(("awards/suppliers", ("awards", i, "suppliers", j), supplier, "supplier"))
    for i, contract in enumerate(contracts):
        for j, transaction in enumerate(listed(obj(contract.get("implementation")).get("transactions"))):
            if type(transaction) is not dict:
                continue
            for role in ("payer", "payee"):
                references.append((f"contracts/implementation/transactions/{role}",
                                   ("contracts", i, "implementation", "transactions", j, role),
                                   transaction.get(role), role))  # fmt: skip
    for path, parts, reference, role in references:
        if type(reference) is not dict:
            continue
        reference_id = reference.get("id")
        if identifier(reference_id) is not None and reference_id not in party_ids:
            emit("quality.unknown-party-reference", WARNING, f"{path}/id", _pointer(*parts, "id"), reference_id,
                 {"role": role})  # fmt: skip
