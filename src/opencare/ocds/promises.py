"""What a contract promised, read from a compiled release: the service, its documents, the provider's commitments,
prices and pay, the terms, lots, duration and options, the interim reviews and any performance failures.

Documents keep their page references (``pageStart``/``pageEnd`` from the documentation details extension), so a
reader can go straight to the page where a promise is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from opencare.ocds.json_values import as_date, as_decimal, as_object, as_objects, as_text
from opencare.ocds.summary import contract_period

#: OCDS document types, in plain English, for the documents people look for first.
DOCUMENT_TYPES = {
    "technicalSpecifications": "Specification",
    "tenderNotice": "Tender notice",
    "awardNotice": "Award notice",
    "contractNotice": "Contract notice",
    "contractSigned": "Signed contract",
    "contractSchedule": "Contract schedule",
    "submissionDocuments": "Provider's method statement",
    "evaluationCriteria": "How bids were scored",
    "physicalProgressReport": "Progress report",
    "financialProgressReport": "Financial report",
    "contractAnnexe": "Contract annex",
    "biddingDocuments": "Bidding documents",
}
#: Contract terms (the contract terms extension), in the order and words a reader wants them.
TERMS = (
    ("socialStandards", "Pay and working conditions"),
    ("performanceTerms", "How performance is measured"),
    ("financialTerms", "How the provider is paid"),
    ("rewardsAndPenalties", "What happens if standards are missed"),
)
METHOD_STATEMENT_PREFIX = "Method statement: "


@dataclass(frozen=True)
class Document:
    """A published document, with the pages a promise is on."""

    title: str
    document_type: str
    url: str
    pages: str
    description: str
    published: date | None

    @property
    def type_name(self) -> str:
        """The document type in plain English."""
        return DOCUMENT_TYPES.get(self.document_type, self.document_type)


@dataclass(frozen=True)
class Commitment:
    """One promise from a provider's method statement."""

    contract_title: str
    supplier_name: str
    text: str
    document: Document


@dataclass(frozen=True)
class Lot:
    """A lot: a part of the service bought separately."""

    title: str
    value: Decimal | None
    currency: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Review:
    """An interim review (an implementation milestone) and its documents."""

    contract_title: str
    title: str
    due: date | None
    met: date | None
    status: str
    description: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Failure:
    """A performance failure and what the buyer did about it (the performance failures extension)."""

    contract_title: str
    category: str
    period_start: date | None
    period_end: date | None
    events: str
    requirement: str
    description: str
    decided: date | None
    penalty_imposed: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Promises:
    """Everything a compiled release says was promised."""

    service: str
    specification: tuple[Document, ...]
    commitments: tuple[Commitment, ...]
    contract_documents: tuple[Document, ...]
    terms: tuple[tuple[str, str], ...]
    targets: tuple[tuple[str, str], ...]
    lots: tuple[Lot, ...]
    start: date | None
    end: date | None
    duration_months: int | None
    options: str
    award_criteria: str
    tenderers: int | None


def promises(compiled: dict[str, Any]) -> Promises:
    """What was promised, from a compiled release. Missing parts are empty, never an error."""
    tender = as_object(compiled.get("tender"))
    contracts = as_objects(compiled.get("contracts"))
    awards = as_objects(compiled.get("awards"))
    period = contract_period(contracts, awards, tender)
    terms = as_object(tender.get("contractTerms"))
    options = [as_text(as_object(tender.get("options")).get("description"))]
    options += [as_text(as_object(item.get("options")).get("description")) for item in [*awards, *contracts]]
    tenderers = tender.get("numberOfTenderers")
    return Promises(
        service=as_text(compiled.get("description")) or as_text(tender.get("description")),
        specification=tuple(_document(d) for d in as_objects(tender.get("documents"))),
        commitments=tuple(_commitments(contracts, awards)),
        contract_documents=tuple(
            _document(d)
            for contract in contracts
            for d in as_objects(contract.get("documents"))
            if as_text(d.get("documentType")) != "submissionDocuments"
        ),
        terms=tuple((name, as_text(terms.get(key))) for key, name in TERMS if as_text(terms.get(key))),
        targets=tuple(
            (as_text(target.get("title")) or as_text(target.get("id")), as_text(target.get("description")))
            for target in as_objects(tender.get("targets"))
        ),
        lots=tuple(_lot(lot) for lot in as_objects(tender.get("lots"))),
        start=as_date(period.get("startDate")),
        end=as_date(period.get("endDate")),
        duration_months=_whole_number(period.get("durationInMonths")),
        options=next((text for text in options if text), ""),
        award_criteria=as_text(tender.get("awardCriteriaDetails")),
        tenderers=tenderers if isinstance(tenderers, int) and not isinstance(tenderers, bool) else None,
    )


def reviews(compiled: dict[str, Any]) -> list[Review]:
    """Every contract's implementation milestones, oldest first."""
    found: list[Review] = []
    for contract in as_objects(compiled.get("contracts")):
        for milestone in as_objects(as_object(contract.get("implementation")).get("milestones")):
            found.append(
                Review(
                    contract_title=as_text(contract.get("title")),
                    title=as_text(milestone.get("title")) or as_text(milestone.get("id")),
                    due=as_date(milestone.get("dueDate")),
                    met=as_date(milestone.get("dateMet")),
                    status=as_text(milestone.get("status")),
                    description=as_text(milestone.get("description")),
                    documents=tuple(_document(d) for d in as_objects(milestone.get("documents"))),
                )
            )
    return sorted(found, key=lambda review: (review.due or date.min, review.contract_title))


def failures(compiled: dict[str, Any]) -> list[Failure]:
    """Every contract's performance failures, oldest first."""
    found: list[Failure] = []
    for contract in as_objects(compiled.get("contracts")):
        implementation = as_object(contract.get("implementation"))
        for failure in as_objects(implementation.get("performanceFailures") or contract.get("performanceFailures")):
            period = as_object(failure.get("period"))
            events = failure.get("events")
            found.append(
                Failure(
                    contract_title=as_text(contract.get("title")),
                    category=as_text(failure.get("category")),
                    period_start=as_date(period.get("startDate")),
                    period_end=as_date(period.get("endDate")),
                    events=str(events) if isinstance(events, int | str) else "",
                    requirement=as_text(failure.get("requirement")),
                    description=as_text(failure.get("description")),
                    decided=as_date(failure.get("decisionDate")),
                    penalty_imposed=as_text(failure.get("penaltyImposed")),
                    documents=tuple(_document(d) for d in as_objects(failure.get("documents"))),
                )
            )
    return sorted(found, key=lambda failure: failure.period_end or date.min)


def _commitments(contracts: list[dict[str, Any]], awards: list[dict[str, Any]]) -> list[Commitment]:
    suppliers = {
        as_text(award.get("id")): ", ".join(as_text(s.get("name")) for s in as_objects(award.get("suppliers")))
        for award in awards
    }
    found: list[Commitment] = []
    for contract in contracts:
        for raw in as_objects(contract.get("documents")):
            if as_text(raw.get("documentType")) != "submissionDocuments":
                continue
            document = _document(raw)
            text = document.title.removeprefix(METHOD_STATEMENT_PREFIX)
            supplier = as_text(raw.get("author")) or suppliers.get(as_text(contract.get("awardID")), "")
            found.append(Commitment(as_text(contract.get("title")), supplier, text, document))
    return found


def _document(raw: dict[str, Any]) -> Document:
    start, end = as_text(raw.get("pageStart")), as_text(raw.get("pageEnd"))
    pages = f"{start} to {end}" if start and end and start != end else start or end
    url = as_text(raw.get("url"))
    return Document(
        title=as_text(raw.get("title")) or as_text(raw.get("id")) or "Untitled document",
        document_type=as_text(raw.get("documentType")),
        # Only web addresses become links: a javascript: or data: address in published data must not.
        url=url if url.lower().startswith(("https://", "http://")) else "",
        pages=pages,
        description=as_text(raw.get("description")),
        published=as_date(raw.get("datePublished")),
    )


def _lot(raw: dict[str, Any]) -> Lot:
    value = as_object(raw.get("value"))
    period = as_object(raw.get("contractPeriod"))
    return Lot(
        title=as_text(raw.get("title")) or as_text(raw.get("id")),
        value=as_decimal(value.get("amount")),
        currency=as_text(value.get("currency")),
        start=as_date(period.get("startDate")),
        end=as_date(period.get("endDate")),
    )


def _whole_number(value: Any) -> int | None:
    number = as_decimal(value)
    return int(number) if number is not None and number == number.to_integral_value() else None
