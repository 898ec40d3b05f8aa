"""What a contract promised, read from a compiled release: the service, its documents, the provider's commitments,
prices and pay, the terms, lots, duration and options, the interim reviews and any performance failures.

Documents keep their page references (``pageStart``/``pageEnd`` from the documentation details extension), so a
reader can go straight to the page where a promise is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from opencare.ocds.json_values import as_date, as_decimal, as_object, as_objects, as_text
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.performance import PRICE_PER_HOUR, WORKER_PAY
from opencare.ocds.procurement_act import NOTICE_TYPES, no_kpis_rationales, notice_code
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
    "plannedProcurementNotice": "Planned procurement notice",
    # The Cabinet Office UK extension's document types.
    "marketEngagementNotice": "Market engagement notice",
    "tenderCancellationNotice": "Tender cancellation notice",
    "implementationNotice": "Performance notice",
    "contractTerminationNotice": "Contract termination notice",
}
#: Contract terms (the contract terms extension), in the order and words a reader wants them.
TERMS = (
    ("socialStandards", "Pay and working conditions"),
    ("performanceTerms", "How performance is measured"),
    ("financialTerms", "How the provider is paid"),
    ("rewardsAndPenalties", "What happens if standards are missed"),
)
METHOD_STATEMENT_PREFIX = "Method statement: "
#: The UK extension's penaltyType codes: how a penalty for a performance failure was decided.
PENALTY_TYPES = {
    "contracted": "as the contract sets out",
    "imposed": "imposed by a court or tribunal",
    "negotiated": "agreed in a settlement",
}


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
        """The document type in plain English (a type the list does not name, in words: "biddingDocuments" becomes
        "Bidding documents")."""
        if self.document_type in DOCUMENT_TYPES:
            return DOCUMENT_TYPES[self.document_type]
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", self.document_type).lower().capitalize()

    @property
    def one_page(self) -> bool:
        """Whether the promise is on one page ("page 6", not "pages 6")."""
        return bool(self.pages) and " to " not in self.pages

    @property
    def first_page(self) -> str:
        """The first page of a range ("6" of "6 to 8"), for pages that say the range in their own language."""
        return self.pages.split(" to ")[0]

    @property
    def last_page(self) -> str:
        """The last page of a range ("8" of "6 to 8"); the only page when there is one."""
        return self.pages.split(" to ")[-1]


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
class Target:
    """One agreed target: a metric the tender, an award or a contract commits to, with its figure and which way is
    better (from the metric catalogue; "neither" for a local metric or one with no better way)."""

    agreed_in: str  # "contract", "award" or "tender": the most specific place that sets it
    contract_title: str
    supplier_name: str
    buyer_name: str
    metric_id: str
    title: str
    description: str
    amount: Decimal | None
    unit_id: str
    unit_name: str
    currency: str
    better: str
    period_start: date | None
    period_end: date | None
    #: A KPI set under the Procurement Act 2023 (s52), published on a notice, not co-designed (procurement_act).
    statutory: bool = False

    @property
    def limit(self) -> str:
        """How the figure binds: ``at-most`` (lower is better), ``at-least`` (higher is better) or ``exactly``."""
        return {"lower": "at-most", "higher": "at-least"}.get(self.better, "exactly")


@dataclass(frozen=True)
class Review:
    """An interim review (an implementation milestone): what was reviewed and agreed, and its documents.

    ``planned`` is true until its date (the date met, else the due date) has passed, whatever its status says: a
    review cannot have been met on a day still to come.
    """

    contract_title: str
    title: str
    due: date | None
    met: date | None
    status: str
    description: str
    documents: tuple[Document, ...]
    planned: bool = False


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
    # The UK extension's fields, as a contract performance notice (UK9, s71(5)) gives them.
    penalty_type: str = ""  # contracted, imposed or negotiated (the penaltyType codelist)
    penalty_amount: Decimal | None = None
    penalty_currency: str = ""
    penalty_date: date | None = None
    partial_termination: str = ""
    #: The providers responsible, when a contract with several providers names them.
    suppliers: tuple[str, ...] = ()

    @property
    def penalty_basis(self) -> str:
        """How the penalty was decided, in plain English ("" when not said)."""
        return PENALTY_TYPES.get(self.penalty_type, self.penalty_type)


@dataclass(frozen=True)
class Promises:
    """Everything a compiled release says was promised."""

    service: str
    specification: tuple[Document, ...]
    commitments: tuple[Commitment, ...]
    contract_documents: tuple[Document, ...]
    terms: tuple[tuple[str, str], ...]
    targets: tuple[Target, ...]
    lots: tuple[Lot, ...]
    start: date | None
    end: date | None
    duration_months: int | None
    options: str
    award_criteria: str
    tenderers: int | None
    #: Each contract's reason, published on a notice, for setting no KPIs: (contract title, reason).
    no_kpis_rationales: tuple[tuple[str, str], ...] = ()

    @property
    def standards(self) -> tuple[Target, ...]:
        """The co-designed targets other than the price per hour and care workers' pay (which are shown as prices);
        the KPIs set under the Procurement Act are ``statutory_kpis``."""
        return tuple(
            target
            for target in self.targets
            if target.metric_id not in (PRICE_PER_HOUR, WORKER_PAY) and not target.statutory
        )

    @property
    def statutory_kpis(self) -> tuple[Target, ...]:
        """The KPIs set under the Procurement Act 2023 and published on its notices (s52)."""
        return tuple(target for target in self.targets if target.statutory)

    @property
    def distinct_standards(self) -> tuple[Target, ...]:
        """The standards once each: a process with lots often agrees the same target in every contract."""
        seen: dict[tuple[str, Decimal | None, str, str], Target] = {}
        for target in self.standards:
            seen.setdefault((target.metric_id, target.amount, target.unit_id, target.currency), target)
        return tuple(seen.values())


def promises(
    compiled: dict[str, Any], statutory: frozenset[tuple[str, str]] = frozenset(), language: str = "en"
) -> Promises:
    """What was promised, from a compiled release. Missing parts are empty, never an error.

    ``statutory`` holds the (contract id, metric id) of the KPIs published on Procurement Act notices
    (procurement_act.statutory_metric_keys): those targets are the statutory KPIs, the others co-designed.
    ``language`` is the language of the catalogue's metric titles (for pages)."""
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
        targets=tuple(targets(compiled, statutory, language)),
        lots=tuple(_lot(lot) for lot in as_objects(tender.get("lots"))),
        start=as_date(period.get("startDate")),
        end=as_date(period.get("endDate")),
        duration_months=_whole_number(period.get("durationInMonths")),
        options=next((text for text in options if text), ""),
        award_criteria=as_text(tender.get("awardCriteriaDetails")),
        tenderers=tenderers if isinstance(tenderers, int) and not isinstance(tenderers, bool) else None,
        no_kpis_rationales=tuple(no_kpis_rationales(compiled)),
    )


def targets(
    compiled: dict[str, Any], statutory: frozenset[tuple[str, str]] = frozenset(), language: str = "en"
) -> list[Target]:
    """Every target agreed: for each contract, its own agreed metrics, then its award's, then the tender's (each
    metric once, from the most specific place); for a process with no contract yet, the tender's. A contract's
    agreed metric whose (contract id, metric id) is in ``statutory`` is a KPI set under the Procurement Act.
    Catalogue metrics are titled in ``language``."""
    catalogue = metric_catalogue(language)
    tender_targets = _metrics_by_id(as_object(compiled.get("tender")).get("targets"))
    awards = {as_text(award.get("id")): award for award in as_objects(compiled.get("awards"))}
    default_buyer = as_text(as_object(compiled.get("buyer")).get("name"))
    contracts = as_objects(compiled.get("contracts"))
    found: list[Target] = []
    for contract in contracts or [{}]:
        award = awards.get(as_text(contract.get("awardID")), {})
        places = (
            ("contract", _metrics_by_id(contract.get("agreedMetrics"))),
            ("award", _metrics_by_id(award.get("agreedMetrics"))),
            ("tender", tender_targets),
        )
        chosen: dict[str, tuple[str, dict[str, Any]]] = {}
        for place, metrics in places:  # the most specific place wins
            for metric_id, metric in metrics.items():
                chosen.setdefault(metric_id, (place, metric))
        for metric_id, (place, metric) in chosen.items():
            entry = catalogue.get(metric_id)
            observation = _main_observation(as_objects(metric.get("observations")))
            period = as_object(observation.get("period"))
            value = as_object(observation.get("value"))
            unit = as_object(observation.get("unit")) or (entry.unit if entry else {})
            amount = as_decimal(observation.get("measure"))
            found.append(
                Target(
                    agreed_in=place,
                    contract_title=as_text(contract.get("title")) or as_text(award.get("title")),
                    supplier_name=", ".join(
                        as_text(s.get("name")) for s in as_objects(award.get("suppliers")) if s.get("name")
                    ),
                    buyer_name=as_text(as_object(award.get("buyer")).get("name")) or default_buyer,
                    metric_id=metric_id,
                    title=entry.title if entry else as_text(metric.get("title")) or metric_id,
                    description=as_text(metric.get("description")),
                    amount=amount if amount is not None else as_decimal(value.get("amount")),
                    unit_id=as_text(unit.get("id")),
                    unit_name=as_text(unit.get("name")),
                    currency=as_text(value.get("currency")),
                    better=entry.better if entry else "neither",
                    period_start=as_date(period.get("startDate")),
                    period_end=as_date(period.get("endDate")),
                    statutory=place == "contract" and (as_text(contract.get("id")), metric_id) in statutory,
                )
            )
    return found


def reviews(compiled: dict[str, Any], today: date | None = None) -> list[Review]:
    """Every contract's implementation milestones, oldest first; with ``today``, those whose date is still to come
    are planned."""
    found: list[Review] = []
    for contract in as_objects(compiled.get("contracts")):
        for milestone in as_objects(as_object(contract.get("implementation")).get("milestones")):
            due, met = as_date(milestone.get("dueDate")), as_date(milestone.get("dateMet"))
            found.append(
                Review(
                    contract_title=as_text(contract.get("title")),
                    title=as_text(milestone.get("title")) or as_text(milestone.get("id")),
                    due=due,
                    met=met,
                    status=as_text(milestone.get("status")),
                    description=as_text(milestone.get("description")),
                    documents=tuple(_document(d) for d in as_objects(milestone.get("documents"))),
                    planned=_is_planned(as_text(milestone.get("status")), met or due, today),
                )
            )
    return sorted(found, key=lambda review: (review.due or review.met or date.min, review.contract_title))


def failures(compiled: dict[str, Any]) -> list[Failure]:
    """Every contract's performance failures, oldest first."""
    found: list[Failure] = []
    for contract in as_objects(compiled.get("contracts")):
        implementation = as_object(contract.get("implementation"))
        for failure in as_objects(implementation.get("performanceFailures") or contract.get("performanceFailures")):
            period = as_object(failure.get("period"))
            penalty = as_object(failure.get("penaltyValue"))
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
                    penalty_type=as_text(failure.get("penaltyType")) or as_text(failure.get("penaltyTypeEntered")),
                    penalty_amount=as_decimal(penalty.get("amount")),
                    penalty_currency=as_text(penalty.get("currency")),
                    penalty_date=as_date(failure.get("penaltyDate")),
                    partial_termination=as_text(failure.get("partialTermination")),
                    suppliers=tuple(
                        name for s in as_objects(failure.get("suppliers")) if (name := as_text(s.get("name")))
                    ),
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


def _is_planned(status: str, when: date | None, today: date | None) -> bool:
    """Whether a review is still to come: scheduled, or said to be met (or with no status) on a day after today."""
    if today is None or status in ("notMet", "partiallyMet"):
        return False
    return status == "scheduled" or (when is not None and when > today)


def _metrics_by_id(value: Any) -> dict[str, dict[str, Any]]:
    return {as_text(metric.get("id")): metric for metric in as_objects(value) if as_text(metric.get("id"))}


def _main_observation(observations: list[dict[str, Any]]) -> dict[str, Any]:
    """The observation that is the target: the latest one without a breakdown (dimensions), else the first."""
    plain = [o for o in observations if not as_object(o.get("dimensions"))] or observations
    if not plain:
        return {}
    return max(plain, key=lambda o: as_date(as_object(o.get("period")).get("endDate")) or date.min)


def _document(raw: dict[str, Any]) -> Document:
    start, end = as_text(raw.get("pageStart")), as_text(raw.get("pageEnd"))
    pages = f"{start} to {end}" if start and end and start != end else start or end
    url = as_text(raw.get("url"))
    notice = NOTICE_TYPES.get(notice_code(raw))
    # A Procurement Act notice has no title, only its id: its name says more ("Contract details notice (UK7)").
    title = as_text(raw.get("title")) or (notice.label if notice else "")
    return Document(
        title=title or as_text(raw.get("id")) or "Untitled document",
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
